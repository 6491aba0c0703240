using System.Globalization;
using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Simulation.Generation;

/// <summary>
/// A seeded catalog of datasets for data-locality experiments: <see cref="DatasetCatalogOptions.Count"/> datasets whose
/// sizes are drawn log-uniformly between the options' bounds, ranked by popularity with Zipf's law (the dataset of
/// rank r is read with weight 1 / r^s), as a few corpora are read by most jobs of a training fleet. It gives each
/// workload datasets (<see cref="Assign"/>) and each node an initial cache (<see cref="Cache"/>), both drawn by
/// popularity from streams of their own, so the workloads' other draws, and the runs without datasets, stay as they were.
/// </summary>
public sealed class DatasetCatalog
{
    private readonly double[] _cumulative;

    public DatasetCatalog(DatasetCatalogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var random = new Random(options.Seed);
        var width = Math.Max(2, (options.Count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var ratio = Math.Log(options.MaxSizeGb / options.MinSizeGb);
        Datasets = Enumerable.Range(0, options.Count)
            .Select(i => new DatasetRef("ds-" + i.ToString("D" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), Math.Round(options.MinSizeGb * Math.Exp(ratio * random.NextDouble()), 1)))
            .ToArray();
        _cumulative = new double[options.Count];
        double total = 0;
        for (var r = 0; r < options.Count; r++)
        {
            total += 1 / Math.Pow(r + 1, options.ZipfExponent);
            _cumulative[r] = total;
        }

        for (var r = 0; r < options.Count; r++)
        {
            _cumulative[r] /= total;
        }
    }

    public DatasetCatalogOptions Options { get; }

    /// <summary>The datasets, most popular first.</summary>
    public IReadOnlyList<DatasetRef> Datasets { get; }

    /// <summary>
    /// <paramref name="workloads"/> with <see cref="DatasetCatalogOptions.PerWorkload"/> distinct datasets each, drawn by
    /// popularity, and <paramref name="localityWait"/>; the order and everything else of each workload unchanged.
    /// </summary>
    public IReadOnlyList<Workload> Assign(IReadOnlyList<Workload> workloads, TimeSpan? localityWait)
    {
        ArgumentNullException.ThrowIfNull(workloads);
        var random = new Random(unchecked((Options.Seed * 31) + 1));
        return workloads.Select(w => w with { Datasets = DrawDistinct(random, Options.PerWorkload), LocalityWait = localityWait }).ToArray();
    }

    /// <summary><paramref name="nodes"/> with an initial cache of <see cref="DatasetCatalogOptions.PerNode"/> distinct datasets each, drawn by popularity.</summary>
    public IReadOnlyList<Node> Cache(IReadOnlyList<Node> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var random = new Random(unchecked((Options.Seed * 31) + 2));
        return nodes.Select(n => n with { CachedDatasets = DrawDistinct(random, Options.PerNode).Select(d => d.Name).ToArray() }).ToArray();
    }

    /// <summary>One dataset by popularity: the rank whose cumulative weight first reaches a uniform draw.</summary>
    private DatasetRef Draw(Random random)
    {
        var u = random.NextDouble();
        var rank = Array.BinarySearch(_cumulative, u);
        rank = rank >= 0 ? rank : Math.Min(~rank, _cumulative.Length - 1);
        return Datasets[rank];
    }

    private DatasetRef[] DrawDistinct(Random random, int count)
    {
        var picked = new List<DatasetRef>(count);
        while (picked.Count < count)
        {
            var d = Draw(random);
            if (!picked.Contains(d))
            {
                picked.Add(d);
            }
        }

        return [.. picked];
    }
}
