namespace Berth.Web;

/// <summary>
/// A queue: its cohort, quota and use per flavor, how many jobs wait, are held and run, and its fair-share state:
/// <see cref="Share"/>, its weighted dominant share (the largest over flavors and resources of what it borrows over
/// its cohort's nominal quota, divided by its weight; 0 within its own quota), which fair-share profiles serve lowest first.
/// </summary>
public sealed record QueueView(string Name, string? Cohort, double Weight, IReadOnlyList<QuotaView> Quota, int Pending, int Held, int Running)
{
    public double Share { get; init; }

    public string StopPolicy { get; init; } = "None";

    /// <summary>
    /// GPUs its running jobs keep busy (allocated GPUs times GPU activity), over the jobs whose activity is known
    /// (nvidia-smi or stated on the server, DCGM through Prometheus in Kubernetes); null while none is known.
    /// </summary>
    public double? UsedGpus { get; init; }

    /// <summary>GPUs its running jobs hold but leave idle (allocated minus used), over the same jobs; null with <see cref="UsedGpus"/>.</summary>
    public double? IdleGpus { get; init; }
}
