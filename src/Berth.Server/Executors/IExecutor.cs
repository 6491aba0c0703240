using Berth.Server.Jobs;

namespace Berth.Server.Executors;

/// <summary>
/// What runs the pods of admitted jobs. The decision loop tells it when a job starts and stops, and asks which jobs
/// ended. The simulated executor is the first; a local one (OS processes) and a remote agent plug in here.
/// </summary>
public interface IExecutor
{
    /// <summary>Every pod of <paramref name="job"/> is bound: start it.</summary>
    void Start(JobRecord job);

    /// <summary>Stop <paramref name="job"/> (cancelled or requeued); safe to call for a job that is not running.</summary>
    void Stop(JobRecord job);

    /// <summary>The running jobs among <paramref name="running"/> that ended by <paramref name="now"/>, each with its final state and why.</summary>
    IReadOnlyList<(JobRecord Job, JobState State, string Message)> Ended(IReadOnlyList<JobRecord> running, DateTimeOffset now);
}
