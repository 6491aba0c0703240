using Berth.Server.Jobs;

namespace Berth.Server.Store;

/// <summary>
/// The outcome of a user's change to one job (cancel, hold, release): the record to write with its event, or, when
/// refused, <see cref="Next"/> null and <see cref="Refusal"/> saying why (the job is unchanged).
/// </summary>
public sealed record JobChange(JobRecord Current, JobRecord? Next, JobEvent? Event, string? Refusal)
{
    public static JobChange Refuse(JobRecord job, string why) => new(job, null, null, why);
}
