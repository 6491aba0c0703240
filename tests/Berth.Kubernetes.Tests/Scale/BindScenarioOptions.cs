namespace Berth.Kubernetes.Tests.Scale;

/// <summary>Size of a <see cref="BindScenario"/>: gangs of whole-GPU pods (each with a PodGroup) on 8-GPU nodes, spread over queues.</summary>
internal sealed record BindScenarioOptions
{
    public int Nodes { get; init; } = 1_000;

    public int Gangs { get; init; } = 625;

    public int GangSize { get; init; } = 8;

    public int Queues { get; init; } = 10;

    /// <summary>Give up when the pods are not all bound after this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Concurrent binding calls for the measurement of the server alone (0: skip it).</summary>
    public int ServerAloneParallelism { get; init; } = 16;

    public int Pods => Gangs * GangSize;
}
