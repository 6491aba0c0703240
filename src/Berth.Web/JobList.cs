namespace Berth.Web;

/// <summary>One page of jobs in submit order; <see cref="Next"/> is the cursor for the next page (null: this is the last).</summary>
public sealed record JobList(IReadOnlyList<JobView> Items, string? Next, int Total);
