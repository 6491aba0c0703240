namespace Berth.Server.Jobs;

/// <summary>Pod <see cref="Pod"/> (its key, <c>JOB/SET-INDEX</c>) of pod set <see cref="PodSet"/> is bound to <see cref="Node"/> on the GPUs of <see cref="GpuMask"/>, each at <see cref="GpuMilli"/> thousandths.</summary>
public sealed record PodBinding(string Pod, int PodSet, string Node, int GpuMask, int GpuMilli);
