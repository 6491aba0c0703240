namespace Berth.Kubernetes.Tests.Scale;

/// <summary>
/// What a <see cref="BindScenario"/> measured. <see cref="Seconds"/> runs from the moment every pod exists on the server
/// (and the controller is allowed to decide) until the server has bound the last one. Problems lists every check that failed.
/// </summary>
internal sealed record BindScenarioResult
{
    public required int Pods { get; init; }

    public required int Bound { get; init; }

    public required double Seconds { get; init; }

    public required double SeedSeconds { get; init; }

    /// <summary>Pods the controller's cache had seen when the clock started.</summary>
    public required int PodsInCacheAtStart { get; init; }

    public required int Cycles { get; init; }

    /// <summary><c>DecisionPlanner.Plan</c> over the snapshot taken at the start (all pods pending), after the run (warm): the fastest of three.</summary>
    public required double PlanSeconds { get; init; }

    public required int PlannedBindings { get; init; }

    /// <summary>Binding calls per second of the fake server and client alone, sequential and with <see cref="BindScenarioOptions.ServerAloneParallelism"/> at once (0 when skipped).</summary>
    public required double ServerAloneSequentialPodsPerSecond { get; init; }

    public required double ServerAloneParallelPodsPerSecond { get; init; }

    public required IReadOnlyList<string> Problems { get; init; }

    public double PodsPerSecond => Bound / Seconds;
}
