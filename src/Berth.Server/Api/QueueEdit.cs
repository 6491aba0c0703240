namespace Berth.Server.Api;

/// <summary>
/// An admin's change to a queue (<c>PATCH /api/v1/queues/{name}</c>): its fair-share weight, its stop policy
/// (<c>None</c>, <c>Hold</c>, <c>HoldAndDrain</c>), and GPU quotas per flavor. Fields left out keep their value.
/// </summary>
public sealed record QueueEdit
{
    public double? Weight { get; init; }

    public string? StopPolicy { get; init; }

    public IReadOnlyList<QuotaEdit>? Quota { get; init; }
}

/// <summary>A queue's GPU quota in one of its flavors: nominal GPUs, and the borrowing and lending limits (GPUs).</summary>
public sealed record QuotaEdit
{
    public string? Flavor { get; init; }

    public double? Gpus { get; init; }

    public double? BorrowingLimit { get; init; }

    public double? LendingLimit { get; init; }
}
