namespace Berth.Web;

/// <summary>Where a job is in its life. Pending and Held wait; Running holds GPUs; the last three are final and never change again.</summary>
public enum JobState
{
    /// <summary>In its queue, waiting to be admitted (its place is its submit order).</summary>
    Pending,

    /// <summary>Kept out of admission by a user until released; keeps its submit time, so it keeps its place.</summary>
    Held,

    /// <summary>Admitted: its pods hold their GPUs (bound pods run on the executor).</summary>
    Running,

    Succeeded,

    Failed,

    Cancelled,
}
