using System.Numerics;
using Berth.Model.Gpus;

namespace Berth.Engine.Mig;

/// <summary>
/// FGD's fragment measure carried over to MIG memory slices: for a GPU whose held instances cover the slices of
/// a mask, the free slices that a typical request's profile could not use, weighted by how common the profile
/// is. A free slice is usable by a profile when some free placement of that profile (an allowed start whose
/// slices are all free) covers it. Computed once per geometry for every mask (2^8 on today's GPUs), so a lookup
/// costs one array read.
/// </summary>
public sealed class MigFragmentMeasure
{
    private readonly long[] _fragment;

    /// <param name="geometry">The GPU model's MIG geometry.</param>
    /// <param name="mix">Typical profiles and their integer weights; default every profile without media extensions, weight 1.</param>
    public MigFragmentMeasure(MigGeometry geometry, IReadOnlyList<(string Profile, int Weight)>? mix = null)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        Geometry = geometry;
        var typical = new List<(MigProfile Profile, int Weight)>();
        foreach (var (name, weight) in mix ?? geometry.Profiles.Where(p => !p.MediaExtensions).Select(p => (p.Name, 1)).ToArray())
        {
            if (!geometry.TryGetProfile(name, out var profile))
            {
                throw new ArgumentException($"typical MIG profile '{name}' is not a profile of {geometry.GpuModel}; use one of {geometry.ProfileNames}", nameof(mix));
            }

            if (weight < 0)
            {
                throw new ArgumentException($"typical MIG profile {name} has weight {weight}; weights are 0 or more", nameof(mix));
            }

            typical.Add((profile, weight));
        }

        var all = (1 << geometry.MemorySlices) - 1;
        _fragment = new long[1 << geometry.MemorySlices];
        for (var used = 0; used <= all; used++)
        {
            var free = all & ~used;
            long fragment = 0;
            foreach (var (profile, weight) in typical)
            {
                var usable = 0;
                foreach (var start in profile.Starts)
                {
                    var mask = profile.SliceMask(start);
                    usable |= (mask & used) == 0 ? mask : 0;
                }

                fragment += (long)weight * BitOperations.PopCount((uint)(free & ~usable));
            }

            _fragment[used] = fragment;
        }
    }

    public MigGeometry Geometry { get; }

    /// <summary>The weighted count of free slices typical profiles cannot use, for a GPU whose held slices are <paramref name="usedMask"/>.</summary>
    public long Of(int usedMask) => _fragment[usedMask];
}
