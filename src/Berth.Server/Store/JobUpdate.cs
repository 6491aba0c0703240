using Berth.Server.Jobs;

namespace Berth.Server.Store;

/// <summary>
/// One change to a job: from <see cref="Expected"/> (the record the writer read) to <see cref="Next"/>, with its
/// events. The store applies it only when the job still is <see cref="Expected"/>, so a decision made on an old
/// view never overwrites a cancel that came in meanwhile.
/// </summary>
public sealed record JobUpdate(JobRecord Expected, JobRecord Next, IReadOnlyList<JobEvent> Events);
