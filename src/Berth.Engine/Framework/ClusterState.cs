using Berth.Engine.Sharing;
using Berth.Model;

namespace Berth.Engine.Framework;

/// <summary>
/// The engine's mutable view of what is free where: the one place (with <see cref="Placer"/>'s
/// reserve and unreserve) where allocation state changes. Arrays are indexed by node index, GPUs
/// are flattened (<see cref="GpuStart"/>). Not thread-safe: one owner at a time.
/// </summary>
public sealed class ClusterState
{
    private readonly Dictionary<string, int> _modelIds;
    private readonly int _logCapacity;
    private int[] _log = new int[64];
    private int _logCount;
    private long _logStart;

    public ClusterState(IReadOnlyList<Node> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Nodes = nodes;
        NodeCount = nodes.Count;
        var modelNames = nodes.Where(n => n.GpuCount > 0 && n.GpuModel is not null)
            .Select(n => n.GpuModel!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (modelNames.Length > Limits.MaxGpuModels)
        {
            throw new ArgumentException($"the cluster has {modelNames.Length} GPU models; at most {Limits.MaxGpuModels} are supported", nameof(nodes));
        }

        ModelNames = modelNames;
        _modelIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < modelNames.Length; i++)
        {
            _modelIds[modelNames[i]] = i;
        }

        FreeCpu = new long[NodeCount];
        FreeMemory = new long[NodeCount];
        GpuStart = new int[NodeCount + 1];
        GpuCountOf = new int[NodeCount];
        ModelOf = new int[NodeCount];
        Version = new int[NodeCount];
        FreeGpuMilli = new int[NodeCount];
        FullyFreeGpus = new int[NodeCount];
        MaxGpuFree = new int[NodeCount];
        Topologies = new InNodeTopology?[NodeCount];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var totalGpus = 0;
        for (var i = 0; i < NodeCount; i++)
        {
            var node = nodes[i];
            node.Validate();
            if (!names.Add(node.Name))
            {
                throw new ArgumentException($"node name '{node.Name}' appears twice; node names must be unique", nameof(nodes));
            }

            FreeCpu[i] = node.CpuMilli;
            FreeMemory[i] = node.MemoryMiB;
            GpuStart[i] = totalGpus;
            GpuCountOf[i] = node.GpuCount;
            ModelOf[i] = node.GpuCount > 0 ? _modelIds[node.GpuModel!] : -1;
            if (node.Topology is { } topology)
            {
                Topologies[i] = new InNodeTopology(topology);
                HasTopology = true;
            }
            totalGpus += node.GpuCount;
        }

        GpuStart[NodeCount] = totalGpus;
        GpuFree = new int[totalGpus];
        Array.Fill(GpuFree, Limits.GpuMilliPerGpu);
        Shared = new SharedGpus(nodes, GpuStart);
        for (var i = 0; i < NodeCount; i++)
        {
            Refresh(i);
        }

        TotalGpuMilli = (long)totalGpus * Limits.GpuMilliPerGpu;
        TotalGpus = totalGpus;
        HasNodeConstraints = nodes.Any(n => n.Taints.Count > 0);
        _logCapacity = Math.Max(1024, 2 * NodeCount);
    }

    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>The MIG instances, replicas and GPU memory held on the nodes that share their GPUs.</summary>
    public SharedGpus Shared { get; }

    public int NodeCount { get; }

    public int TotalGpus { get; }

    /// <summary>GPU models present, sorted; a model's id is its index here.</summary>
    public IReadOnlyList<string> ModelNames { get; }

    public long TotalGpuMilli { get; }

    public long AllocatedGpuMilli { get; private set; }

    /// <summary>True when some node has taints (so every pod must pass the taint filter).</summary>
    public bool HasNodeConstraints { get; }

    /// <summary>True when some node describes its topology (NVLink islands, PCIe switches, NUMA nodes).</summary>
    public bool HasTopology { get; }

    /// <summary>Each node's compiled topology; null for a node whose description gives none.</summary>
    internal InNodeTopology?[] Topologies { get; }

    internal long[] FreeCpu { get; }

    internal long[] FreeMemory { get; }

    internal int[] GpuStart { get; }

    internal int[] GpuCountOf { get; }

    /// <summary>Free milli-GPU per GPU, flattened: node i owns [GpuStart[i], GpuStart[i+1]).</summary>
    internal int[] GpuFree { get; }

    internal int[] ModelOf { get; }

    /// <summary>Bumped on every change of a node; caches compare it to know when to recompute.</summary>
    internal int[] Version { get; }

    internal int[] FreeGpuMilli { get; }

    internal int[] FullyFreeGpus { get; }

    /// <summary>The sum of <see cref="FullyFreeGpus"/> over every node: no pod of k whole GPUs fits anywhere when it is below k.</summary>
    internal long TotalFullyFreeGpus { get; private set; }

    internal int[] MaxGpuFree { get; }

    /// <summary>The position just past the last change recorded: a reader that has seen everything holds this.</summary>
    internal long ChangePosition => _logStart + _logCount;

    /// <summary>
    /// The nodes changed since <paramref name="position"/> (in order, a node once per change), and moves the position
    /// to the end. False when the log no longer reaches back that far (it is bounded): the reader must then look at
    /// every node, as it did when it started. Readers compare <see cref="Version"/> to skip nodes already seen.
    /// </summary>
    internal bool TryReadChanges(ref long position, out ReadOnlySpan<int> nodes)
    {
        var end = _logStart + _logCount;
        if (position < _logStart)
        {
            nodes = default;
            position = end;
            return false;
        }

        nodes = _log.AsSpan((int)(position - _logStart), (int)(end - position));
        position = end;
        return true;
    }

    public long FreeCpuOf(int node) => FreeCpu[node];

    public long FreeMemoryOf(int node) => FreeMemory[node];

    public ReadOnlySpan<int> GpuFreeOf(int node) => GpuFree.AsSpan(GpuStart[node], GpuCountOf[node]);

    public int FreeGpuMilliOf(int node) => FreeGpuMilli[node];

    /// <summary>The node's compiled topology; null when its description gives none.</summary>
    public InNodeTopology? TopologyOf(int node) => Topologies[node];

    /// <summary>False only where the node describes its topology and the request must be aligned to a NUMA node that has no room for it.</summary>
    public bool TopologyFits(int node, in PodRequest request) =>
        !HasTopology || Topologies[node] is not { } topology || topology.Fits(request, GpuFreeOf(node));

    public int ModelIdOf(int node) => ModelOf[node];

    public int VersionOf(int node) => Version[node];

    public bool TryGetModelId(string model, out int id) => _modelIds.TryGetValue(model, out id);

    /// <summary>
    /// The mask of this cluster's model ids among <paramref name="models"/>; <see cref="PodRequest.AnyModel"/>
    /// when the list is empty (any model). Models the cluster does not have add no bit.
    /// </summary>
    public ulong ModelMask(IReadOnlyList<string> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
        {
            return PodRequest.AnyModel;
        }

        ulong mask = 0;
        foreach (var model in models)
        {
            if (_modelIds.TryGetValue(model, out var id))
            {
                mask |= 1UL << id;
            }
        }

        return mask;
    }

    /// <summary>
    /// Compiles a pod into the compact request the plugins read. A pod asking for MIG instances or time-sliced/MPS
    /// replicas compiles to no whole-GPU demand plus its shared part (<see cref="PodRequest.IsShared"/>).
    /// </summary>
    public PodRequest Compile(Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var mask = ModelMask(pod.AllowedGpuModels);
        var constrained = pod.NodeSelector.Count > 0 || HasNodeConstraints;
        var request = new PodRequest(pod.CpuMilli, pod.MemoryMiB, pod.GpuCount, pod.GpuMilli, mask, constrained) { SingleNumaNode = pod.SingleNumaNode };
        if (pod.MigCount == 0 && pod.SharedGpuReplicas == 0)
        {
            return request;
        }

        if (pod.MigCount > SharedGpus.MaxMigInstancesPerPod)
        {
            throw new ArgumentException($"pod {pod.Name} asks for {pod.MigCount} MIG instances of {pod.MigProfile}; the engine places at most {SharedGpus.MaxMigInstancesPerPod} per pod, so split it into pods of up to {SharedGpus.MaxMigInstancesPerPod}", nameof(pod));
        }

        return request with { MigProfile = pod.MigProfile, MigCount = pod.MigCount, SharedReplicas = pod.SharedGpuReplicas, SharedMemoryMiB = pod.GpuMemoryMiB };
    }

    /// <summary>
    /// Takes the request's resources on <paramref name="node"/>: CPU, memory and <c>GpuMilli</c> on each GPU
    /// in <paramref name="gpuMask"/> (bit g = the node's GPU g). Throws when that would over-allocate:
    /// callers check fit first, so an over-allocation here is a bug, never an outcome.
    /// </summary>
    public void Allocate(int node, in PodRequest request, int gpuMask) => AllocateCounted(node, request, gpuMask);

    /// <summary>
    /// As <see cref="Allocate"/>, and returns the MIG re-partitions it made (0 unless the request is a MIG request
    /// that no idle instance served). For a shared request <paramref name="gpuMask"/> is the
    /// <see cref="SharedChoice.Mask"/> of its placement.
    /// </summary>
    public int AllocateCounted(int node, in PodRequest request, int gpuMask)
    {
        if (request.CpuMilli > FreeCpu[node] || request.MemoryMiB > FreeMemory[node])
        {
            throw new InvalidOperationException($"over-allocation of CPU or memory on node {Nodes[node].Name}");
        }

        if (request.IsShared)
        {
            if (!Shared.IsShared[node])
            {
                throw new InvalidOperationException($"shared-GPU request on node {Nodes[node].Name}, which does not share its GPUs");
            }

            var made = Shared.Allocate(node, request, gpuMask);
            FreeCpu[node] -= request.CpuMilli;
            FreeMemory[node] -= request.MemoryMiB;
            SyncShared(node);
            return made;
        }

        var start = GpuStart[node];
        var count = GpuCountOf[node];
        if (System.Numerics.BitOperations.PopCount((uint)gpuMask) != request.GpuCount || (count < 32 && gpuMask >> count != 0))
        {
            throw new InvalidOperationException($"GPU mask {gpuMask:x} does not match {request.GpuCount} GPU(s) on node {Nodes[node].Name}");
        }

        for (var g = 0; g < count; g++)
        {
            if ((gpuMask & (1 << g)) != 0 && GpuFree[start + g] < request.GpuMilli)
            {
                throw new InvalidOperationException($"over-allocation of GPU {g} on node {Nodes[node].Name}");
            }
        }

        for (var g = 0; g < count; g++)
        {
            if ((gpuMask & (1 << g)) != 0)
            {
                GpuFree[start + g] -= request.GpuMilli;
            }
        }

        FreeCpu[node] -= request.CpuMilli;
        FreeMemory[node] -= request.MemoryMiB;
        AllocatedGpuMilli += request.GpuDemandMilli;
        Topologies[node]?.Pin(request, gpuMask);
        Refresh(node);
        return 0;
    }

    /// <summary>Gives back what <see cref="Allocate"/> took. Throws if that would exceed the node's capacity (a bug).</summary>
    public void Release(int node, in PodRequest request, int gpuMask)
    {
        var n = Nodes[node];
        if (FreeCpu[node] + request.CpuMilli > n.CpuMilli || FreeMemory[node] + request.MemoryMiB > n.MemoryMiB)
        {
            throw new InvalidOperationException($"release of more CPU or memory than node {n.Name} has");
        }

        if (request.IsShared)
        {
            Shared.Release(node, request, gpuMask);
            FreeCpu[node] += request.CpuMilli;
            FreeMemory[node] += request.MemoryMiB;
            SyncShared(node);
            return;
        }

        var start = GpuStart[node];
        var count = GpuCountOf[node];
        for (var g = 0; g < count; g++)
        {
            if ((gpuMask & (1 << g)) != 0 && GpuFree[start + g] + request.GpuMilli > Limits.GpuMilliPerGpu)
            {
                throw new InvalidOperationException($"release of more than GPU {g} of node {n.Name} has");
            }
        }

        for (var g = 0; g < count; g++)
        {
            if ((gpuMask & (1 << g)) != 0)
            {
                GpuFree[start + g] += request.GpuMilli;
            }
        }

        FreeCpu[node] += request.CpuMilli;
        FreeMemory[node] += request.MemoryMiB;
        AllocatedGpuMilli -= request.GpuDemandMilli;
        Topologies[node]?.Unpin(request, gpuMask);
        Refresh(node);
    }

    /// <summary>
    /// Sets a shared node's free milli-GPU from what its pods hold (a MIG instance counts its compute slices, a replica
    /// its share of the GPU), so utilisation and idle-GPU figures cover shared GPUs too.
    /// </summary>
    private void SyncShared(int node)
    {
        var start = GpuStart[node];
        for (var g = 0; g < GpuCountOf[node]; g++)
        {
            var free = Shared.FreeMilli(node, start + g);
            AllocatedGpuMilli += GpuFree[start + g] - free;
            GpuFree[start + g] = free;
        }

        Refresh(node);
    }

    private void Refresh(int node)
    {
        var start = GpuStart[node];
        var count = GpuCountOf[node];
        int sum = 0, full = 0, max = 0;
        for (var g = 0; g < count; g++)
        {
            var free = GpuFree[start + g];
            sum += free;
            if (free == Limits.GpuMilliPerGpu)
            {
                full++;
            }

            if (free > max)
            {
                max = free;
            }
        }

        FreeGpuMilli[node] = sum;
        TotalFullyFreeGpus += full - FullyFreeGpus[node];
        FullyFreeGpus[node] = full;
        MaxGpuFree[node] = max;
        Version[node]++;
        if (_logCount == _log.Length)
        {
            if (_logCount >= _logCapacity)
            {
                // Bounded memory: readers behind this point rescan every node (TryReadChanges returns false).
                _logStart += _logCount;
                _logCount = 0;
            }
            else
            {
                Array.Resize(ref _log, Math.Min(_logCapacity, _log.Length * 2));
            }
        }

        _log[_logCount++] = node;
    }
}
