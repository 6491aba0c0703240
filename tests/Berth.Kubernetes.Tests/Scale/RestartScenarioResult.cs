namespace Berth.Kubernetes.Tests.Scale;

/// <summary>
/// What a <see cref="RestartScenario"/> measured: from a fresh controller starting (its informers list everything) to
/// its first decision completed (planned and written), and the checks of that decision. Problems lists every check that failed.
/// </summary>
internal sealed record RestartScenarioResult
{
    public required int Nodes { get; init; }

    public required int Pods { get; init; }

    public required int BoundAtStart { get; init; }

    public required double SeedSeconds { get; init; }

    /// <summary>Start to every informer's first list complete.</summary>
    public required double SyncSeconds { get; init; }

    /// <summary>Start to the first decision's writes done (the headline figure).</summary>
    public required double FirstDecisionSeconds { get; init; }

    /// <summary><c>DecisionPlanner.Plan</c> over the same state, afterwards (warm): the fastest of three.</summary>
    public required double PlanSeconds { get; init; }

    public required int Bindings { get; init; }

    public required int ExpectedBindings { get; init; }

    public required int Writes { get; init; }

    public required int Warnings { get; init; }

    /// <summary>The first few of the decision's warnings.</summary>
    public required IReadOnlyList<string> WarningSamples { get; init; }

    public required IReadOnlyList<string> Problems { get; init; }
}
