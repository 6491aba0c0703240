namespace Berth.Simulation.Jobs;

/// <summary>Options of one job replay run (not of the scheduler: those are the scenario's settings and the profile).</summary>
public sealed record JobReplayOptions
{
    /// <summary>Keep the whole admission event log in the result (conformance tests, explain); off for large runs.</summary>
    public bool KeepEvents { get; init; }

    /// <summary>Sample the cluster this often for the timeline (null: no timeline).</summary>
    public TimeSpan? TimelineStep { get; init; }

    /// <summary>Reports events processed so far.</summary>
    public IProgress<int>? Progress { get; init; }

    /// <summary>Called with the scheduler when the run ends (at the horizon or when nothing is left): to inspect what waits and why.</summary>
    public Action<Berth.Engine.Admission.AdmissionScheduler>? AtEnd { get; init; }

    /// <summary>Measures wall time only (never decides anything); defaults to the system clock.</summary>
    public TimeProvider? WallClock { get; init; }
}
