namespace Berth.Web;

/// <summary>
/// The cluster's GPUs at one moment, in GPUs (a share counts as its fraction). <see cref="Allocated"/>: held by running
/// pods. <see cref="Free"/>: healthy capacity nobody holds. <see cref="Fragmented"/>: the part of <see cref="Free"/> that
/// sits on partly held GPUs, which a whole-GPU pod cannot use. <see cref="Used"/>: what the running pods keep busy
/// (allocation times GPU activity), null while no running job's activity is known; <see cref="IdleAllocated"/>:
/// allocated but not busy, over the jobs whose activity is known.
/// </summary>
public sealed record TimelinePoint(DateTimeOffset At, double Allocated, double Free, double Fragmented, double IdleAllocated, double? Used);
