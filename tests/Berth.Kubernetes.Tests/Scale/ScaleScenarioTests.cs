namespace Berth.Kubernetes.Tests.Scale;

/// <summary>The scale scenarios of bench/Berth.Benchmarks (<c>scenario k8s-bind</c>, <c>scenario k8s-restart</c>), run small so CI checks them.</summary>
public sealed class ScaleScenarioTests
{
    [Fact]
    public async Task BindScenario_TwentyGangsOfEight_EveryPodBoundOnceAndNoGpuTwice()
    {
        var result = await BindScenario.RunAsync(new BindScenarioOptions { Nodes = 30, Gangs = 20, Queues = 3, ServerAloneParallelism = 4, Timeout = TimeSpan.FromSeconds(60) });

        Assert.Empty(result.Problems);
        Assert.Equal(160, result.Bound);
        Assert.Equal(160, result.PlannedBindings);
        Assert.True(result.ServerAloneParallelPodsPerSecond > 0);
    }

    [Fact]
    public async Task RestartScenario_SmallClusterLeftByAPreviousLeader_FirstDecisionBindsExactlyTheUnboundPods()
    {
        var result = await RestartScenario.RunAsync(new RestartScenarioOptions { Nodes = 40, BoundPods = 320, PendingGangs = 4, InterruptedGangs = 3, Queues = 3, Timeout = TimeSpan.FromSeconds(60) });

        Assert.Empty(result.Problems);
        Assert.Equal(4 * 8 + 3 * 4, result.ExpectedBindings);
        Assert.Equal(result.ExpectedBindings, result.Bindings);
        Assert.Equal(320 + 3 * 4, result.BoundAtStart);
        Assert.Empty(result.WarningSamples);
    }
}
