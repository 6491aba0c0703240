namespace Berth.Simulation.Jobs;

public enum JobOutcome
{
    /// <summary>Ran its whole duration.</summary>
    Completed = 0,

    /// <summary>Failed: never fits, gang never ready, max run time passed.</summary>
    Failed,

    /// <summary>Still waiting (or partly placed) when the run ended: its wait is counted up to the end (a lower bound).</summary>
    Unfinished,
}
