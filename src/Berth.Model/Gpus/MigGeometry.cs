using System.Collections.Frozen;

namespace Berth.Model.Gpus;

/// <summary>
/// How one GPU model may be partitioned with MIG: its memory and compute slices and its profiles with their
/// allowed placements. A layout is valid only if every instance starts where NVIDIA allows, no profile has more
/// instances than NVIDIA allows, at most <see cref="MaxInstances"/> instances exist, and no two instances share a
/// memory slice (the rule NVML enforces when it creates a GPU instance).
/// </summary>
public sealed class MigGeometry
{
    private readonly FrozenDictionary<string, MigProfile> _byName;

    public MigGeometry(string gpuModel, int memorySlices, int computeSlices, int maxInstances, IReadOnlyList<MigProfile> profiles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(gpuModel);
        ArgumentNullException.ThrowIfNull(profiles);
        if (memorySlices is < 1 or > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(memorySlices), memorySlices, "a GPU has 1 to 30 memory slices (they are kept as bits of an int)");
        }

        foreach (var profile in profiles)
        {
            if (profile.Starts.Count == 0 || profile.Starts.Any(s => s < 0 || s + profile.MemorySlices > memorySlices))
            {
                throw new ArgumentException($"MIG profile {profile.Name} of {gpuModel} has a start outside the GPU's {memorySlices} memory slices", nameof(profiles));
            }
        }

        GpuModel = gpuModel;
        MemorySlices = memorySlices;
        ComputeSlices = computeSlices;
        MaxInstances = maxInstances;
        Profiles = profiles.ToArray();
        _byName = Profiles.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>The GPU model name, as in <see cref="GpuModelCatalog"/>.</summary>
    public string GpuModel { get; }

    public int MemorySlices { get; }

    public int ComputeSlices { get; }

    /// <summary>The most GPU instances one GPU may hold.</summary>
    public int MaxInstances { get; }

    /// <summary>The profiles, largest last, in the order NVIDIA's table lists them.</summary>
    public IReadOnlyList<MigProfile> Profiles { get; }

    /// <summary>The profile names, for error messages.</summary>
    public string ProfileNames => string.Join(", ", Profiles.Select(p => p.Name));

    public bool TryGetProfile(string name, out MigProfile profile) => _byName.TryGetValue(name, out profile!);

    /// <summary>
    /// Null when <paramref name="layout"/> is a layout NVIDIA allows on this GPU model (every instance placed);
    /// otherwise what is wrong and how to fix it.
    /// </summary>
    public string? Problem(MigLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var problem = CountProblem(layout);
        if (problem is not null)
        {
            return problem;
        }

        var used = 0;
        var owner = new MigInstance?[MemorySlices];
        foreach (var instance in layout.Instances)
        {
            var profile = _byName[instance.Profile];
            if (instance.Start is not { } start)
            {
                return $"MIG instance {instance.Profile} has no start; give it one of {string.Join(", ", profile.Starts)} or let Berth arrange the layout";
            }

            if (!profile.AllowsStart(start))
            {
                return $"MIG profile {profile.Name} cannot start at memory slice {start} on {GpuModel}; NVIDIA allows starts {string.Join(", ", profile.Starts)}";
            }

            var mask = profile.SliceMask(start);
            if ((used & mask) != 0)
            {
                var slice = System.Numerics.BitOperations.TrailingZeroCount(used & mask);
                return $"MIG instances {owner[slice]} and {instance} overlap in memory slice {slice} on {GpuModel}; move one to a free start or remove it";
            }

            used |= mask;
            for (var s = start; s < start + profile.MemorySlices; s++)
            {
                owner[s] = instance;
            }
        }

        return null;
    }

    /// <summary>
    /// The layout with every instance placed: instances with a start keep it, the others get the first free
    /// allowed start, largest profiles first (a deterministic search that backtracks, so any layout that has a
    /// valid placement gets one). Returns false with the problem when NVIDIA allows no placement.
    /// </summary>
    public bool TryArrange(MigLayout layout, out MigLayout arranged, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(layout);
        arranged = layout;
        problem = CountProblem(layout);
        if (problem is not null)
        {
            return false;
        }

        var fixedOnly = new MigLayout(layout.Instances.Where(i => i.Start is not null).ToArray());
        problem = Problem(fixedOnly);
        if (problem is not null)
        {
            return false;
        }

        if (layout.IsPlaced)
        {
            return true;
        }

        var used = 0;
        foreach (var instance in fixedOnly.Instances)
        {
            used |= _byName[instance.Profile].SliceMask(instance.Start!.Value);
        }

        // Largest first, then by name: a total order, so the same input always gets the same placement.
        var open = Enumerable.Range(0, layout.Instances.Count)
            .Where(i => layout.Instances[i].Start is null)
            .OrderByDescending(i => _byName[layout.Instances[i].Profile].MemorySlices)
            .ThenBy(i => layout.Instances[i].Profile, StringComparer.Ordinal)
            .ThenBy(i => i)
            .ToArray();
        var starts = new int[layout.Instances.Count];
        if (!Search(layout, open, 0, used, starts))
        {
            problem = $"MIG layout {layout} does not fit on one {GpuModel}: no placement keeps its instances apart in the {MemorySlices} memory slices; remove an instance or pick smaller profiles";
            return false;
        }

        var placed = new MigInstance[layout.Instances.Count];
        for (var i = 0; i < placed.Length; i++)
        {
            var instance = layout.Instances[i];
            placed[i] = instance.Start is null ? instance with { Start = starts[i] } : instance;
        }

        arranged = new MigLayout(placed);
        return true;
    }

    private bool Search(MigLayout layout, int[] open, int next, int used, int[] starts)
    {
        if (next == open.Length)
        {
            return true;
        }

        var index = open[next];
        var profile = _byName[layout.Instances[index].Profile];
        foreach (var start in profile.Starts)
        {
            var mask = profile.SliceMask(start);
            if ((used & mask) != 0)
            {
                continue;
            }

            starts[index] = start;
            if (Search(layout, open, next + 1, used | mask, starts))
            {
                return true;
            }
        }

        return false;
    }

    // The checks that do not depend on starts: known profiles, instances per profile, instances per GPU,
    // and one set of media engines.
    private string? CountProblem(MigLayout layout)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var media = 0;
        foreach (var instance in layout.Instances)
        {
            if (!_byName.TryGetValue(instance.Profile, out var profile))
            {
                return $"unknown MIG profile '{instance.Profile}' for GPU model {GpuModel}; use one of {ProfileNames}";
            }

            counts[profile.Name] = counts.GetValueOrDefault(profile.Name) + 1;
            if (counts[profile.Name] > profile.MaxInstances)
            {
                return $"the layout has {counts[profile.Name]} instances of MIG profile {profile.Name}; a {GpuModel} holds at most {profile.MaxInstances}";
            }

            media += profile.MediaExtensions ? 1 : 0;
            if (media > 1)
            {
                return $"the layout has {media} instances with media extensions (+me); a {GpuModel} has one set of media engines, so keep one";
            }
        }

        if (layout.Instances.Count > MaxInstances)
        {
            return $"the layout has {layout.Instances.Count} MIG instances; a {GpuModel} holds at most {MaxInstances}";
        }

        return null;
    }
}
