using System.Numerics;
using Berth.Model.Gpus;

namespace Berth.Engine.Sharing;

/// <summary>
/// One MIG GPU as the engine tracks it: the instances configured on it (placed, as NVML creates them) and which of
/// them a pod holds. A held instance is never moved or destroyed; a re-partition (<see cref="Take"/> of an
/// instance not configured) creates the new instance around the held ones and destroys only idle instances that are
/// in its way, so the layout stays one NVIDIA allows (<see cref="MigGeometry.Problem"/> is null) after every step.
/// </summary>
internal sealed class MigGpu
{
    private readonly MigProfile[] _profiles;
    private readonly int[] _starts;
    private readonly bool[] _held;

    public MigGpu(MigGeometry geometry, MigLayout layout)
    {
        Geometry = geometry;
        _profiles = new MigProfile[geometry.MaxInstances];
        _starts = new int[geometry.MaxInstances];
        _held = new bool[geometry.MaxInstances];
        foreach (var instance in layout.Instances)
        {
            // The node was validated: every instance is a placed instance of this geometry.
            geometry.TryGetProfile(instance.Profile, out var profile);
            _profiles[Count] = profile;
            _starts[Count] = instance.Start!.Value;
            Count++;
        }
    }

    public MigGeometry Geometry { get; }

    /// <summary>Instances configured (held or idle).</summary>
    public int Count { get; private set; }

    /// <summary>The memory slices of the held instances.</summary>
    public int HeldMask { get; private set; }

    /// <summary>Compute slices of the held instances.</summary>
    public int HeldCompute { get; private set; }

    /// <summary>Free memory slices (not held by a pod).</summary>
    public int FreeSlices => Geometry.MemorySlices - BitOperations.PopCount((uint)HeldMask);

    /// <summary>True when an idle configured instance of <paramref name="profile"/> starts at <paramref name="start"/>.</summary>
    public bool HasIdle(MigProfile profile, int start) => IndexOf(profile, start, held: false) >= 0;

    /// <summary>
    /// True when an instance of <paramref name="profile"/> at <paramref name="start"/> could be created by a
    /// re-partition: its slices are not held, and the held instances plus it keep NVIDIA's count rules.
    /// </summary>
    public bool CanCreate(MigProfile profile, int start)
    {
        if ((HeldMask & profile.SliceMask(start)) != 0)
        {
            return false;
        }

        int held = 0, same = 0, media = 0;
        for (var i = 0; i < Count; i++)
        {
            if (_held[i])
            {
                held++;
                same += ReferenceEquals(_profiles[i], profile) ? 1 : 0;
                media += _profiles[i].MediaExtensions ? 1 : 0;
            }
        }

        return held < Geometry.MaxInstances && same < profile.MaxInstances && !(profile.MediaExtensions && media > 0);
    }

    /// <summary>
    /// Holds the instance of <paramref name="profile"/> at <paramref name="start"/>: an idle configured one, or (when
    /// <paramref name="repartition"/>) a new one made by re-partitioning. True when a re-partition happened.
    /// Throws when neither is possible: callers choose first, so this is a bug, never an outcome.
    /// </summary>
    public bool Take(MigProfile profile, int start, bool repartition)
    {
        var index = IndexOf(profile, start, held: false);
        if (index >= 0)
        {
            Hold(index, true);
            return false;
        }

        if (!repartition || !CanCreate(profile, start))
        {
            throw new InvalidOperationException($"MIG instance {profile.Name}@{start} cannot be taken on a GPU laid out as [{Layout()}]");
        }

        // Idle instances in the new one's slices go; if the rest with it break a count rule, every idle one goes.
        var mask = profile.SliceMask(start);
        RemoveIdle(i => (_profiles[i].SliceMask(_starts[i]) & mask) != 0);
        if (!CountsAllow(profile))
        {
            RemoveIdle(_ => true);
        }

        _profiles[Count] = profile;
        _starts[Count] = start;
        Count++;
        Hold(Count - 1, true);
        return true;
    }

    /// <summary>Lets go of the held instance of <paramref name="profile"/> at <paramref name="start"/>; it stays configured, idle.</summary>
    public void Give(MigProfile profile, int start)
    {
        var index = IndexOf(profile, start, held: true);
        if (index < 0)
        {
            throw new InvalidOperationException($"no held MIG instance {profile.Name}@{start} on a GPU laid out as [{Layout()}]");
        }

        Hold(index, false);
    }

    /// <summary>The configured instances as a placed layout, in start order.</summary>
    public MigLayout Layout()
    {
        var instances = new MigInstance[Count];
        for (var i = 0; i < Count; i++)
        {
            instances[i] = new MigInstance(_profiles[i].Name, _starts[i]);
        }

        return new MigLayout(instances.OrderBy(x => x.Start).ToArray());
    }

    /// <summary>A copy of the configured and held instances, for <see cref="Restore"/> after a what-if.</summary>
    public (MigProfile[] Profiles, int[] Starts, bool[] Held, int Count) Save() =>
        ((MigProfile[])_profiles.Clone(), (int[])_starts.Clone(), (bool[])_held.Clone(), Count);

    public void Restore((MigProfile[] Profiles, int[] Starts, bool[] Held, int Count) saved)
    {
        saved.Profiles.CopyTo(_profiles, 0);
        saved.Starts.CopyTo(_starts, 0);
        saved.Held.CopyTo(_held, 0);
        Count = saved.Count;
        Recount();
    }

    private bool CountsAllow(MigProfile profile)
    {
        int same = 0, media = 0;
        for (var i = 0; i < Count; i++)
        {
            same += ReferenceEquals(_profiles[i], profile) ? 1 : 0;
            media += _profiles[i].MediaExtensions ? 1 : 0;
        }

        return Count < Geometry.MaxInstances && same < profile.MaxInstances && !(profile.MediaExtensions && media > 0);
    }

    private int IndexOf(MigProfile profile, int start, bool held)
    {
        for (var i = 0; i < Count; i++)
        {
            if (_held[i] == held && _starts[i] == start && ReferenceEquals(_profiles[i], profile))
            {
                return i;
            }
        }

        return -1;
    }

    private void RemoveIdle(Func<int, bool> remove)
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (_held[i] || !remove(i))
            {
                _profiles[kept] = _profiles[i];
                _starts[kept] = _starts[i];
                _held[kept] = _held[i];
                kept++;
            }
        }

        Count = kept;
    }

    private void Hold(int index, bool held)
    {
        _held[index] = held;
        Recount();
    }

    private void Recount()
    {
        int mask = 0, compute = 0;
        for (var i = 0; i < Count; i++)
        {
            if (_held[i])
            {
                mask |= _profiles[i].SliceMask(_starts[i]);
                compute += _profiles[i].ComputeSlices;
            }
        }

        HeldMask = mask;
        HeldCompute = compute;
    }
}
