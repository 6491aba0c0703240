namespace Berth.Server.Store;

/// <summary>
/// One run of a job: from the moment every pod was bound to the moment it stopped holding its GPUs (finished,
/// cancelled, preempted, lost, drained or backed off). Showback sums these, so a job requeued twice is charged for
/// its three runs, not only its last. Written by the store in the same transaction as the job's change that starts
/// or ends it.
/// </summary>
/// <param name="JobSeq">The job's submit order (<see cref="Jobs.JobRecord.Seq"/>).</param>
/// <param name="Number">1 for the first run, then 2, 3, ... per job.</param>
/// <param name="Ended">Null while it runs.</param>
/// <param name="Gpus">GPUs it held (a share counts as its fraction); null for a run migrated from a store that did not record it (the job's request then counts).</param>
/// <param name="Nodes">The nodes it ran on, comma-separated; empty when unknown.</param>
/// <param name="Outcome">How it ended: the event that ended it (Requeued, Lost, Preempted, ...) or the final state; null while it runs.</param>
public sealed record JobRun(long JobSeq, int Number, DateTimeOffset Started, DateTimeOffset? Ended, double? Gpus, string Nodes, string? Outcome);
