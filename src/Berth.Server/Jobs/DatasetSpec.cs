namespace Berth.Server.Jobs;

/// <summary>A dataset a submitted job reads: its name, as nodes report it in their cache, and its size in GB (required).</summary>
public sealed record DatasetSpec
{
    public string? Name { get; init; }

    public double? SizeGb { get; init; }
}
