using System.Numerics;
using Berth.Model.Gpus;

namespace Berth.Engine.Mig;

/// <summary>
/// Chooses where on a node a MIG instance of a requested profile is created, when GPUs are partitioned on
/// demand around the instances running pods hold (nothing running moves). Among the placements NVIDIA allows
/// (the GPU's layout plus the new instance passes <see cref="MigGeometry.Problem"/>'s rules), it takes the one
/// that grows the fragment measure least, so large profiles stay placeable; ties go to the fuller GPU (packing),
/// then the lower GPU index, then the lower start: a total order, so the choice is deterministic.
/// </summary>
public sealed class MigPacker
{
    private readonly MigFragmentMeasure _measure;

    public MigPacker(MigFragmentMeasure measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        _measure = measure;
    }

    private MigGeometry Geometry => _measure.Geometry;

    /// <summary>
    /// The best placement of one instance of <paramref name="profile"/> on a node whose GPUs hold
    /// <paramref name="gpus"/> (placed layouts, one per GPU); null when no GPU can take it.
    /// Throws <see cref="ArgumentException"/> for a profile the GPU model does not have.
    /// </summary>
    public MigPlacement? Choose(IReadOnlyList<MigLayout> gpus, string profile)
    {
        ArgumentNullException.ThrowIfNull(gpus);
        if (!Geometry.TryGetProfile(profile, out var wanted))
        {
            throw new ArgumentException($"unknown MIG profile '{profile}' for GPU model {Geometry.GpuModel}; use one of {Geometry.ProfileNames}", nameof(profile));
        }

        MigPlacement? best = null;
        (long Growth, int Free) bestKey = (long.MaxValue, int.MaxValue);
        for (var g = 0; g < gpus.Count; g++)
        {
            if (!RoomFor(gpus[g], wanted))
            {
                continue;
            }

            var used = UsedMask(gpus[g]);
            var before = _measure.Of(used);
            var free = Geometry.MemorySlices - BitOperations.PopCount((uint)used);
            foreach (var start in wanted.Starts)
            {
                var mask = wanted.SliceMask(start);
                if ((used & mask) != 0)
                {
                    continue;
                }

                // Strictly better only: GPUs and starts are visited in ascending order, so ties keep the lower ones.
                var key = (_measure.Of(used | mask) - before, free);
                if (key.CompareTo(bestKey) < 0)
                {
                    bestKey = key;
                    best = new MigPlacement(g, start);
                }
            }
        }

        return best;
    }

    /// <summary>The memory slices the instances of <paramref name="layout"/> cover (a placed layout).</summary>
    public int UsedMask(MigLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var used = 0;
        foreach (var instance in layout.Instances)
        {
            if (!Geometry.TryGetProfile(instance.Profile, out var profile) || instance.Start is not { } start)
            {
                throw new ArgumentException($"MIG instance {instance} is not a placed instance of {Geometry.GpuModel}; arrange the layout first", nameof(layout));
            }

            used |= profile.SliceMask(start);
        }

        return used;
    }

    // The rules that do not depend on the start: instances per profile, per GPU, and one set of media engines.
    private bool RoomFor(MigLayout layout, MigProfile wanted)
    {
        if (layout.Instances.Count >= Geometry.MaxInstances)
        {
            return false;
        }

        var same = 0;
        var media = 0;
        foreach (var instance in layout.Instances)
        {
            same += instance.Profile == wanted.Name ? 1 : 0;
            media += Geometry.TryGetProfile(instance.Profile, out var p) && p.MediaExtensions ? 1 : 0;
        }

        return same < wanted.MaxInstances && !(wanted.MediaExtensions && media > 0);
    }
}
