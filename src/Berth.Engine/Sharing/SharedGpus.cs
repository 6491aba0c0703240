using System.Numerics;
using Berth.Engine.Framework;
using Berth.Engine.Mig;
using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.Engine.Sharing;

/// <summary>
/// What is held on the GPUs of the nodes that share them, and where a shared-GPU pod fits on one node:
/// <list type="bullet">
/// <item>MIG: per GPU the configured instances and which are held (<see cref="MigGpu"/>). A pod takes an idle
/// configured instance of its profile; on a node with <see cref="GpuSharing.MigRepartition"/>, when none is idle it may
/// re-partition one GPU per instance around what runs. Among the options, fewer re-partitions first, then the least
/// growth of the MIG fragment measure (<see cref="MigFragmentMeasure"/>), then the fuller GPU, then the lower GPU and start.</item>
/// <item>Time-sliced and MPS: per GPU the replicas and GPU memory held. A pod's replicas go on one GPU with that many
/// replicas free (the replica count is the contention limit) and its GPU memory free (never over-committed; MPS also
/// keeps each client within the pinned memory limit); the GPU with the fewest replicas left wins (best fit).</item>
/// </list>
/// Whole-GPU pods never go to these nodes, and shared-GPU pods only go to them. Not thread-safe.
/// </summary>
public sealed class SharedGpus
{
    /// <summary>The most MIG instances one pod may ask for (they must fit <see cref="MigMask"/>).</summary>
    public const int MaxMigInstancesPerPod = 4;

    private readonly IReadOnlyList<Node> _nodes;
    private readonly int[] _gpuStart;
    private readonly MigGpu?[] _mig;
    private readonly int[] _replicas;
    private readonly long[] _memory;
    private readonly long[] _memoryPerGpu;
    private readonly MigFragmentMeasure?[] _measureOf;

    internal SharedGpus(IReadOnlyList<Node> nodes, int[] gpuStart)
    {
        _nodes = nodes;
        _gpuStart = gpuStart;
        var total = gpuStart[nodes.Count];
        IsShared = new bool[nodes.Count];
        _measureOf = new MigFragmentMeasure?[nodes.Count];
        _memoryPerGpu = new long[nodes.Count];
        _mig = new MigGpu?[total];
        _replicas = new int[total];
        _memory = new long[total];
        var measures = new Dictionary<string, MigFragmentMeasure>(StringComparer.Ordinal);
        for (var n = 0; n < nodes.Count; n++)
        {
            var node = nodes[n];
            var sharing = node.Sharing;
            IsShared[n] = sharing.Mode != GpuSharingMode.Exclusive;
            _memoryPerGpu[n] = node.GpuMemoryMiB > 0 ? node.GpuMemoryMiB
                : node.GpuModel is not null && GpuModelCatalog.Default.TryGet(node.GpuModel, out var info) ? info.MemoryMiB : 0;
            if (sharing.Mode != GpuSharingMode.Mig)
            {
                continue;
            }

            MigGeometries.TryGet(node.GpuModel!, out var geometry);
            if (!measures.TryGetValue(geometry.GpuModel, out var measure))
            {
                measure = new MigFragmentMeasure(geometry);
                measures[geometry.GpuModel] = measure;
            }

            _measureOf[n] = measure;
            for (var g = 0; g < node.GpuCount; g++)
            {
                _mig[gpuStart[n] + g] = new MigGpu(geometry, sharing.MigLayoutOf(g));
            }
        }

        Any = IsShared.Any(s => s);
    }

    /// <summary>True when some node shares its GPUs.</summary>
    public bool Any { get; }

    /// <summary>Per node: true when it shares its GPUs (MIG, time-slicing or MPS).</summary>
    internal bool[] IsShared { get; }

    /// <summary>The instances configured on GPU <paramref name="gpu"/> of MIG node <paramref name="node"/> (held or idle), placed.</summary>
    public MigLayout MigLayoutOf(int node, int gpu) => Mig(node, gpu).Layout();

    /// <summary>The memory slices held by pods on GPU <paramref name="gpu"/> of MIG node <paramref name="node"/>.</summary>
    public int MigHeldMaskOf(int node, int gpu) => Mig(node, gpu).HeldMask;

    /// <summary>Replicas held on GPU <paramref name="gpu"/> of a time-sliced or MPS node.</summary>
    public int ReplicasHeldOf(int node, int gpu) => _replicas[_gpuStart[node] + gpu];

    /// <summary>GPU memory (MiB) held on GPU <paramref name="gpu"/> of a time-sliced or MPS node.</summary>
    public long MemoryHeldOf(int node, int gpu) => _memory[_gpuStart[node] + gpu];

    /// <summary>The memory of one GPU of <paramref name="node"/> in MiB (the node's figure, else the catalog's; 0 unknown).</summary>
    public long GpuMemoryOf(int node) => _memoryPerGpu[node];

    /// <summary>
    /// MIG fragmentation of the cluster in percent: over every MIG GPU, the free memory slices the typical profiles
    /// (each profile without media extensions, weight 1) could not use, as a share of all MIG memory slices. 0 without MIG.
    /// </summary>
    public double MigFragmentPercent()
    {
        double fragment = 0;
        long slices = 0;
        for (var n = 0; n < _nodes.Count; n++)
        {
            if (_measureOf[n] is not { } measure)
            {
                continue;
            }

            var weights = measure.Geometry.Profiles.Count(p => !p.MediaExtensions);
            for (var g = 0; g < _nodes[n].GpuCount; g++)
            {
                fragment += (double)measure.Of(_mig[_gpuStart[n] + g]!.HeldMask) / weights;
                slices += measure.Geometry.MemorySlices;
            }
        }

        return slices == 0 ? 0 : 100 * fragment / slices;
    }

    /// <summary>Why <paramref name="node"/> cannot take the shared request at all (its kind of sharing); null when it may.</summary>
    internal string? KindProblem(int node, in PodRequest request)
    {
        var mode = _nodes[node].Sharing.Mode;
        if (mode == GpuSharingMode.Exclusive)
        {
            return "node does not share its GPUs";
        }

        if (request.MigCount > 0 && mode != GpuSharingMode.Mig)
        {
            return "node's GPUs are not MIG-partitioned";
        }

        if (request.SharedReplicas > 0 && mode == GpuSharingMode.Mig)
        {
            return "node's GPUs are MIG-partitioned, not time-sliced";
        }

        if (request.MigCount > 0 && !TryProfile(node, request, out _))
        {
            return "node's GPU model has no such MIG profile";
        }

        return null;
    }

    /// <summary>The best place for <paramref name="request"/> on <paramref name="node"/>; false when it does not fit now.</summary>
    internal bool TryChoose(int node, in PodRequest request, out SharedChoice choice)
    {
        choice = default;
        if (KindProblem(node, request) is not null)
        {
            return false;
        }

        return request.MigCount > 0 ? TryChooseMig(node, request, out choice) : TryChooseReplicas(node, request, out choice);
    }

    /// <summary>
    /// True when <see cref="Allocate"/> may take exactly what <paramref name="mask"/> says on <paramref name="node"/>
    /// now: for MIG, distinct instances of the profile, each idle (or creatable when the node re-partitions); for
    /// replicas, one GPU with the replicas and GPU memory free. For putting back pods bound before a restart.
    /// </summary>
    internal bool CanAllocate(int node, in PodRequest request, int mask)
    {
        if (KindProblem(node, request) is not null)
        {
            return false;
        }

        if (request.MigCount > 0)
        {
            TryProfile(node, request, out var profile);
            var repartition = _nodes[node].Sharing.MigRepartition;
            var seen = new HashSet<int>();
            for (var k = 0; k < request.MigCount; k++)
            {
                var gpu = MigMask.Gpu(mask, k);
                var start = MigMask.Start(mask, k);
                if (gpu >= _nodes[node].GpuCount || !seen.Add((gpu << 3) | start))
                {
                    return false;
                }

                var mig = Mig(node, gpu);
                if (!mig.HasIdle(profile, start) && !(repartition && mig.CanCreate(profile, start)))
                {
                    return false;
                }
            }

            return true;
        }

        if (BitOperations.PopCount((uint)mask) != 1 || mask >> _nodes[node].GpuCount != 0)
        {
            return false;
        }

        var flat = _gpuStart[node] + BitOperations.TrailingZeroCount(mask);
        return _replicas[flat] + request.SharedReplicas <= _nodes[node].Sharing.Replicas && MemoryFits(node, flat, request);
    }

    /// <summary>Takes what <paramref name="mask"/> says on <paramref name="node"/>; returns the re-partitions it made.</summary>
    internal int Allocate(int node, in PodRequest request, int mask)
    {
        if (request.MigCount > 0)
        {
            TryProfile(node, request, out var profile);
            var repartition = _nodes[node].Sharing.MigRepartition;
            var made = 0;
            for (var k = 0; k < request.MigCount; k++)
            {
                made += Mig(node, MigMask.Gpu(mask, k)).Take(profile, MigMask.Start(mask, k), repartition) ? 1 : 0;
            }

            return made;
        }

        var gpu = SingleGpu(node, mask);
        var flat = _gpuStart[node] + gpu;
        if (_replicas[flat] + request.SharedReplicas > _nodes[node].Sharing.Replicas || !MemoryFits(node, flat, request))
        {
            throw new InvalidOperationException($"over-allocation of shared GPU {gpu} on node {_nodes[node].Name}");
        }

        _replicas[flat] += request.SharedReplicas;
        _memory[flat] += request.SharedMemoryMiB;
        return 0;
    }

    /// <summary>Gives back what <see cref="Allocate"/> took (MIG instances stay configured, idle).</summary>
    internal void Release(int node, in PodRequest request, int mask)
    {
        if (request.MigCount > 0)
        {
            TryProfile(node, request, out var profile);
            for (var k = 0; k < request.MigCount; k++)
            {
                Mig(node, MigMask.Gpu(mask, k)).Give(profile, MigMask.Start(mask, k));
            }

            return;
        }

        var gpu = SingleGpu(node, mask);
        var flat = _gpuStart[node] + gpu;
        if (_replicas[flat] < request.SharedReplicas || _memory[flat] < request.SharedMemoryMiB)
        {
            throw new InvalidOperationException($"release of more than shared GPU {gpu} of node {_nodes[node].Name} holds");
        }

        _replicas[flat] -= request.SharedReplicas;
        _memory[flat] -= request.SharedMemoryMiB;
    }

    /// <summary>The milli-GPU of flattened GPU <paramref name="flat"/> of <paramref name="node"/> no pod holds, for the whole-cluster figures.</summary>
    internal int FreeMilli(int node, int flat)
    {
        var mig = _mig[flat];
        if (mig is not null)
        {
            return Limits.GpuMilliPerGpu - (int)((long)Limits.GpuMilliPerGpu * mig.HeldCompute / mig.Geometry.ComputeSlices);
        }

        return Limits.GpuMilliPerGpu - (int)((long)Limits.GpuMilliPerGpu * _replicas[flat] / _nodes[node].Sharing.Replicas);
    }

    /// <summary>The GPUs (bit g = GPU g) a placement in <paramref name="mask"/> touches, for the assignment.</summary>
    internal int GpusOf(in PodRequest request, int mask)
    {
        if (request.MigCount == 0)
        {
            return mask;
        }

        var gpus = 0;
        for (var k = 0; k < request.MigCount; k++)
        {
            gpus |= 1 << MigMask.Gpu(mask, k);
        }

        return gpus;
    }

    private bool TryChooseMig(int node, in PodRequest request, out SharedChoice choice)
    {
        TryProfile(node, request, out var profile);
        if (request.MigCount == 1)
        {
            return TryChooseInstance(node, profile, out choice);
        }

        // Several instances: choose one at a time on the node's GPUs as they would be, then put the GPUs back.
        var count = _nodes[node].GpuCount;
        var saved = new (MigProfile[], int[], bool[], int)[count];
        for (var g = 0; g < count; g++)
        {
            saved[g] = Mig(node, g).Save();
        }

        var repartition = _nodes[node].Sharing.MigRepartition;
        int mask = 0, made = 0, free = 0;
        long growth = 0;
        var fits = true;
        for (var k = 0; k < request.MigCount && fits; k++)
        {
            fits = TryChooseInstance(node, profile, out var one);
            if (fits)
            {
                mask = MigMask.With(mask, k, MigMask.Gpu(one.Mask, 0), MigMask.Start(one.Mask, 0));
                made += one.Repartitions;
                growth += one.Growth;
                free = one.FreeSlices;
                Mig(node, MigMask.Gpu(one.Mask, 0)).Take(profile, MigMask.Start(one.Mask, 0), repartition);
            }
        }

        for (var g = 0; g < count; g++)
        {
            Mig(node, g).Restore(saved[g]);
        }

        choice = new SharedChoice(mask, made, growth, free);
        return fits;
    }

    private bool TryChooseInstance(int node, MigProfile profile, out SharedChoice choice)
    {
        var measure = _measureOf[node]!;
        var repartition = _nodes[node].Sharing.MigRepartition;
        var found = false;
        choice = default;
        for (var g = 0; g < _nodes[node].GpuCount; g++)
        {
            var gpu = _mig[_gpuStart[node] + g]!;
            var held = gpu.HeldMask;
            var before = measure.Of(held);
            foreach (var start in profile.Starts)
            {
                var idle = gpu.HasIdle(profile, start);
                if (!idle && !(repartition && gpu.CanCreate(profile, start)))
                {
                    continue;
                }

                var option = new SharedChoice(MigMask.With(0, 0, g, start), idle ? 0 : 1, measure.Of(held | profile.SliceMask(start)) - before, gpu.FreeSlices);
                if (!found || option.IsBetterThan(choice))
                {
                    choice = option;
                    found = true;
                }
            }
        }

        return found;
    }

    private bool TryChooseReplicas(int node, in PodRequest request, out SharedChoice choice)
    {
        var sharing = _nodes[node].Sharing;
        choice = default;
        if (sharing.Mode == GpuSharingMode.Mps && sharing.MpsPinnedMemoryMiB > 0 && request.SharedMemoryMiB > sharing.MpsPinnedMemoryMiB * request.SharedReplicas)
        {
            return false;
        }

        var found = false;
        for (var g = 0; g < _nodes[node].GpuCount; g++)
        {
            var flat = _gpuStart[node] + g;
            var left = sharing.Replicas - _replicas[flat] - request.SharedReplicas;
            if (left < 0 || !MemoryFits(node, flat, request))
            {
                continue;
            }

            var option = new SharedChoice(1 << g, 0, 0, left);
            if (!found || option.IsBetterThan(choice))
            {
                choice = option;
                found = true;
            }
        }

        return found;
    }

    private bool MemoryFits(int node, int flat, in PodRequest request) =>
        request.SharedMemoryMiB == 0 || _memory[flat] + request.SharedMemoryMiB <= _memoryPerGpu[node];

    private bool TryProfile(int node, in PodRequest request, out MigProfile profile)
    {
        profile = null!;
        return _measureOf[node] is { } measure && request.MigProfile is { } name && measure.Geometry.TryGetProfile(name, out profile);
    }

    private MigGpu Mig(int node, int gpu) =>
        _mig[_gpuStart[node] + gpu] ?? throw new ArgumentException($"GPU {gpu} of node {_nodes[node].Name} is not a MIG GPU", nameof(gpu));

    private int SingleGpu(int node, int mask)
    {
        if (BitOperations.PopCount((uint)mask) != 1 || mask >> _nodes[node].GpuCount != 0)
        {
            throw new InvalidOperationException($"GPU mask {mask:x} is not one GPU of node {_nodes[node].Name}");
        }

        return BitOperations.TrailingZeroCount(mask);
    }
}
