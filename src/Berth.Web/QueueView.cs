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
}
