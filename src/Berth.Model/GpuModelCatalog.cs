using System.Collections.Frozen;

namespace Berth.Model;

/// <summary>
/// The GPU models a cluster may contain. Input naming a model outside the catalog is rejected,
/// so that a typo in a GPU model never silently makes a pod unschedulable.
/// </summary>
public sealed class GpuModelCatalog
{
    // Memory sizes are the vendors' published per-GPU figures. The openb trace anonymises some
    // models (G2, G3); for those we record the memory of the data-centre GPU they most likely are,
    // which only matters for display: placement never reads GPU memory for openb pods.
    private static readonly GpuModelInfo[] BuiltIn =
    [
        new("A10", 24 * 1024),
        new("A100", 80 * 1024),
        new("A100-40G", 40 * 1024),
        new("B200", 180 * 1024),
        new("G2", 16 * 1024),
        new("G3", 32 * 1024),
        new("H100", 80 * 1024),
        new("H200", 141 * 1024),
        new("L4", 24 * 1024),
        new("L40S", 48 * 1024),
        new("P100", 16 * 1024),
        new("T4", 16 * 1024),
        new("V100M16", 16 * 1024),
        new("V100M32", 32 * 1024),
    ];

    private readonly FrozenDictionary<string, GpuModelInfo> _models;

    public GpuModelCatalog(IEnumerable<GpuModelInfo> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var map = new Dictionary<string, GpuModelInfo>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            map[model.Name] = model;
        }

        _models = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The models Berth ships with (common data-centre GPUs and the openb trace's models).</summary>
    public static GpuModelCatalog Default { get; } = new(BuiltIn);

    /// <summary>All model names, sorted ordinally.</summary>
    public IReadOnlyList<string> Names => _models.Keys.Order(StringComparer.Ordinal).ToArray();

    public bool Contains(string name) => _models.ContainsKey(name);

    public bool TryGet(string name, out GpuModelInfo info) => _models.TryGetValue(name, out info!);

    /// <summary>A catalog with these extra models added (or replaced by name).</summary>
    public GpuModelCatalog With(IEnumerable<GpuModelInfo> extra) => new(_models.Values.Concat(extra));
}
