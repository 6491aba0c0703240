namespace Berth.Web;

/// <summary>
/// A cohort: its parent, its fair-share weight among its siblings, the queues in it, per flavor and resource the nominal
/// quota of those queues and what they use, and the GPU quota it holds itself (<see cref="OwnGpus"/>: per flavor,
/// which its members may borrow).
/// </summary>
public sealed record CohortView(string Name, string? Parent, IReadOnlyList<string> Queues, IReadOnlyList<QuotaView> Quota)
{
    public double Weight { get; init; } = 1;

    public IReadOnlyDictionary<string, double> OwnGpus { get; init; } = new Dictionary<string, double>();
}
