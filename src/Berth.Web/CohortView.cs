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

    /// <summary>GPUs its queues' running jobs keep busy (<see cref="QueueView.UsedGpus"/> summed over its queues); null while none is known.</summary>
    public double? UsedGpus { get; init; }

    /// <summary>GPUs its queues' running jobs hold but leave idle (<see cref="QueueView.IdleGpus"/> summed); null with <see cref="UsedGpus"/>.</summary>
    public double? IdleGpus { get; init; }
}
