namespace Berth.Cli.Tests.Chaos;

/// <summary>Where a submitted workload is, as the harness sees it.</summary>
internal enum ChaosStage
{
    Queued,
    Admitted,
    Running,

    /// <summary>Done as far as Berth is concerned (Job Complete, PodGroup deleted); its pods are terminating and still hold their GPUs.</summary>
    Finishing,
    Done,
}
