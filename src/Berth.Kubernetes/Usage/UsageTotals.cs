namespace Berth.Kubernetes.Usage;

/// <summary>
/// GPU-seconds of one <see cref="UsageKey"/>: allocated (GPU shares held times seconds), used (weighted by GPU
/// activity, 0 while unknown) and the workloads that held them (view ids, for exact job counts over a period).
/// Mutable: only <see cref="UsageLedger"/> changes it.
/// </summary>
public sealed class UsageTotals
{
    public double AllocatedGpuSeconds { get; set; }

    public double UsedGpuSeconds { get; set; }

    public SortedSet<string> Workloads { get; } = new(StringComparer.Ordinal);
}
