namespace Berth.Model.Queueing;

/// <summary>
/// A group of queues (and child cohorts) that lend to and borrow from each other. Cohorts form a tree
/// through <see cref="Parent"/>; a cohort may hold quota of its own, which its members may borrow.
/// </summary>
public sealed record Cohort(string Name)
{
    public string? Parent { get; init; }

    public IReadOnlyList<FlavorQuota> Quotas { get; init; } = [];

    /// <summary>Fair-share weight of this cohort among its siblings.</summary>
    public double Weight { get; init; } = 1.0;
}
