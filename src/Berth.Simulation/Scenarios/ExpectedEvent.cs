namespace Berth.Simulation.Scenarios;

/// <summary>
/// One line of a conformance scenario's expectations: at <see cref="At"/>, <see cref="Workload"/> has the
/// event <see cref="Kind"/> (Submitted, Admitted, Evicted, Finished, Failed, Pending; an evicted workload is back in its queue at once), with, where given, the
/// reason code (for Pending, Evicted, Failed) and, for Admitted, the flavor and pod count.
/// </summary>
public sealed record ExpectedEvent(TimeSpan At, string Workload, string Kind)
{
    public string? Reason { get; init; }

    public string? Flavor { get; init; }

    public int? Pods { get; init; }

    /// <summary>The line in the scenario file, for the failure message.</summary>
    public int Line { get; init; }
}
