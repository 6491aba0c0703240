using Berth.Server.Jobs;

namespace Berth.Server.Executors;

/// <summary>
/// Simulated nodes: a started job "runs" for its declared duration on the server's clock and then succeeds.
/// Stateless (the start time is in the store), so a restart changes nothing: a job that ended while the server
/// was down is found ended at the first cycle.
/// </summary>
public sealed class SimulatedExecutor : IExecutor
{
    public void Start(JobRecord job)
    {
    }

    public void Stop(JobRecord job)
    {
    }

    public IReadOnlyList<(JobRecord Job, JobState State, string Message)> Ended(IReadOnlyList<JobRecord> running, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(running);
        var ended = new List<(JobRecord, JobState, string)>();
        foreach (var job in running)
        {
            if (job.StartedAt is { } started && job.Workload.Duration is { } duration && now >= started + duration)
            {
                ended.Add((job, JobState.Succeeded, $"ran its declared {job.Spec.Duration ?? duration.ToString()} on simulated nodes"));
            }
        }

        return ended;
    }
}
