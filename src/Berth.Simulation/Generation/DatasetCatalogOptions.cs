namespace Berth.Simulation.Generation;

/// <summary>What <see cref="DatasetCatalog"/> builds; the same options always give the same catalog, workloads and caches.</summary>
public sealed record DatasetCatalogOptions
{
    /// <summary>Number of datasets in the catalog.</summary>
    public int Count { get; init; } = 40;

    /// <summary>Zipf exponent s of popularity: rank r is drawn with weight 1 / r^s (0: all alike; 1.1: a few dominate).</summary>
    public double ZipfExponent { get; init; } = 1.1;

    /// <summary>Smallest dataset, GB.</summary>
    public double MinSizeGb { get; init; } = 20;

    /// <summary>Largest dataset, GB.</summary>
    public double MaxSizeGb { get; init; } = 500;

    /// <summary>Datasets each workload reads.</summary>
    public int PerWorkload { get; init; } = 1;

    /// <summary>Datasets each node caches at the start.</summary>
    public int PerNode { get; init; } = 3;

    public int Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the option and the fix.</summary>
    public void Validate()
    {
        if (Count < 1)
        {
            throw new ArgumentException($"dataset count is {Count}; give 1 or more", nameof(Count));
        }

        if (!(ZipfExponent >= 0) || double.IsInfinity(ZipfExponent))
        {
            throw new ArgumentException($"zipf exponent is {ZipfExponent}; give 0 or more (1.1 is typical)", nameof(ZipfExponent));
        }

        if (!(MinSizeGb > 0) || !(MaxSizeGb >= MinSizeGb) || double.IsInfinity(MaxSizeGb))
        {
            throw new ArgumentException($"dataset sizes {MinSizeGb}..{MaxSizeGb} GB; give 0 < min <= max", nameof(MinSizeGb));
        }

        if (PerWorkload < 0 || PerWorkload > Count || PerNode < 0 || PerNode > Count)
        {
            throw new ArgumentException($"datasets per workload ({PerWorkload}) and per node ({PerNode}) must be between 0 and the catalog's {Count}", nameof(PerWorkload));
        }
    }
}
