using Berth.Simulation.Generation;
using Berth.Simulation.Jobs;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>
/// The serving comparison, run small (the full size is <c>scenario serving</c> in bench/): Berth starts serving
/// scale-ups sooner than kube-default and than training-only scheduling, taking GPUs back from training (whose
/// work since its last checkpoint is lost).
/// </summary>
public sealed class ServingComparisonTests
{
    private static readonly DiurnalServingOptions Small = new() { Nodes = 24, Days = 2, Services = 6, Seed = 3 };

    [Fact]
    public void Run_SmallFleet_BerthHasTheShortestScaleUpWaits()
    {
        var rows = ServingComparison.Run(Small);
        var text = ServingComparison.Table(rows);

        Assert.Equal(["berth", "kube-default", "training-only"], rows.Select(r => r.Scheduling));
        var (berth, kube, trainingOnly) = (rows[0], rows[1], rows[2]);
        Assert.True(berth.WaitP99Seconds < kube.WaitP99Seconds, text);
        Assert.True(berth.WaitP99Seconds < trainingOnly.WaitP99Seconds, text);
        Assert.True(berth.WaitP50Seconds <= Math.Min(kube.WaitP50Seconds, trainingOnly.WaitP50Seconds), text);
        Assert.Equal(0, berth.ReplicasNeverStarted);
        Assert.All(rows, r => Assert.Equal(berth.Replicas, r.Replicas));
        Assert.True(berth.ReplicasWaited < Math.Min(kube.ReplicasWaited, trainingOnly.ReplicasWaited), text);
        Assert.True(berth.TrainingCompleted > 0, text);
        Assert.True(berth.LostGpuHours > 0, $"serving took GPUs back from training, which loses the work since its last checkpoint: {text}");
    }

    [Fact]
    public void TrainingOnly_ServingTreatedLikeTraining_NoPriorityNoGroupNoReclaim()
    {
        var scenario = DiurnalServingGenerator.Generate(Small);
        var trainingOnly = ServingComparison.TrainingOnly(scenario);

        Assert.DoesNotContain(trainingOnly.Workloads, w => w.IsServing || w.Priority != 0);
        Assert.Equal(scenario.Workloads.Select(w => w.Id), trainingOnly.Workloads.Select(w => w.Id));
        Assert.All(trainingOnly.Queues.Queues, q => Assert.Equal(Berth.Model.Queueing.QueuePreemption.None, q.Preemption));
    }
}
