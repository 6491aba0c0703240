using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Admission;

/// <summary>
/// Cheap bounds on whether a gang can be placed, read before any placement trial: how many of its whole-GPU pods
/// the fully free GPUs could hold now, or with a set of workloads taken off their nodes, or while victims are
/// taken one by one (followed node by node instead of counted anew). A bound that says "short" means every trial
/// would stop at it, so skipping the trial changes no decision.
///
/// With workloads taken off (<see cref="WholeGpuPodsThatFitWithout"/>): taking off any subset frees no more
/// (a GPU is fully free only when all its users are gone), so when even the whole set leaves the gang short,
/// no choice of victims or movers among them can make room, and the search is skipped. Not thread-safe.
/// </summary>
internal sealed class GangRoom(ClusterState cluster, AdmissionStatement statement)
{
    private int[]? _freedMilli;
    private int[]? _fullyFreeWithout;
    private int[]? _touchedGpus;
    private int[]? _touchedNodes;
    private int[]? _gained;
    private int[]? _gainedNodes;
    private int[]? _roomNodeStamp;
    private int[]? _roomVictimStamp;
    private int[] _roomTouched = [];
    private long[] _roomPieces = [];
    private int _roomStamp;
    private int _roomVictim;
    private Pod[] _roomPods = [];
    private int[] _roomCounts = [];

    /// <summary>
    /// A bound far cheaper than trying: how many of the gang's pods the free whole GPUs could hold, counting
    /// each pod set of whole-GPU pods on its own against node-sized pieces of fully free GPUs (CPU and memory
    /// not counted; sharing and CPU-only pods counted as fitting). Fewer than all means the gang cannot be placed.
    /// </summary>
    public int WholeGpuPodsThatFit(Pod[] pods, int[] counts, int[] nodes) => WholeGpuPodsThatFit(pods, counts, nodes, cluster.FullyFreeGpus);

    /// <summary>
    /// True exactly when <see cref="WholeGpuPodsThatFit(Pod[], int[], int[])"/> reaches every pod of the gang, and
    /// often without a pass over the nodes: a pod set of k whole GPUs cannot fit when the whole cluster holds fewer
    /// than k times its count fully free GPUs (a node-sized piece is never more than its node's share of the total).
    /// </summary>
    public bool AllCouldFit(Pod[] pods, int[] counts, int[] nodes)
    {
        var fullyFree = cluster.TotalFullyFreeGpus;
        var total = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            total += counts[s];
            var k = pods[s].GpuCount;
            if (k > 0 && pods[s].GpuMilli >= Limits.GpuMilliPerGpu && fullyFree / k < counts[s])
            {
                return false;
            }
        }

        return WholeGpuPodsThatFit(pods, counts, nodes) >= total;
    }

    /// <summary>As <see cref="WholeGpuPodsThatFit(Pod[], int[], int[])"/>, with the fully free GPUs per node given.</summary>
    public static int WholeGpuPodsThatFit(Pod[] pods, int[] counts, int[] nodes, int[] fullyFree)
    {
        var fitting = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            var k = pods[s].GpuCount;
            if (k == 0 || pods[s].GpuMilli < Limits.GpuMilliPerGpu)
            {
                fitting += counts[s];
                continue;
            }

            var fits = 0;
            foreach (var n in nodes)
            {
                fits += fullyFree[n] / k;
                if (fits >= counts[s])
                {
                    break;
                }
            }

            fitting += Math.Min(fits, counts[s]);
        }

        return fitting;
    }

    /// <summary>
    /// As <see cref="WholeGpuPodsThatFit(Pod[], int[], int[])"/>, counted as if every workload in
    /// <paramref name="removed"/> (admitted, each at most once) had released its pods. Changes nothing.
    /// </summary>
    public int WholeGpuPodsThatFitWithout(Pod[] pods, int[] counts, int[] nodes, ReadOnlySpan<WorkloadState> removed)
    {
        var gpuFree = cluster.GpuFree;
        _fullyFreeWithout ??= new int[cluster.NodeCount];
        cluster.FullyFreeGpus.AsSpan().CopyTo(_fullyFreeWithout);

        // A GPU counts as fully free when it gets back all that is taken on it.
        var touched = Freed(removed, followedOnly: false);
        var (freedMilli, touchedGpus, touchedNodes) = (_freedMilli!, _touchedGpus!, _touchedNodes!);
        for (var i = 0; i < touched; i++)
        {
            var g = touchedGpus[i];
            if (gpuFree[g] < Limits.GpuMilliPerGpu && gpuFree[g] + freedMilli[g] >= Limits.GpuMilliPerGpu)
            {
                _fullyFreeWithout[touchedNodes[i]]++;
            }

            freedMilli[g] = 0;
        }

        return WholeGpuPodsThatFit(pods, counts, nodes, _fullyFreeWithout);
    }

    /// <summary>
    /// Starts following <see cref="WholeGpuPodsThatFit(Pod[], int[], int[])"/> for one gang on <paramref name="nodes"/>
    /// while workloads are taken off their nodes with <see cref="ReleaseFollowingRoom"/>: only the nodes they leave are
    /// counted again, not all of them for each one. <see cref="RoomFitting"/> then says what the full count would.
    /// </summary>
    public void FollowRoom(Pod[] pods, int[] counts, int[] nodes)
    {
        var nodeCount = cluster.NodeCount;
        _roomNodeStamp ??= new int[nodeCount];
        _roomVictimStamp ??= new int[nodeCount];
        if (_roomTouched.Length < nodeCount)
        {
            _roomTouched = new int[nodeCount];
        }

        if (_roomPieces.Length < counts.Length)
        {
            _roomPieces = new long[counts.Length];
        }

        _roomPods = pods;
        _roomCounts = counts;
        if (++_roomStamp == int.MaxValue)
        {
            Array.Clear(_roomNodeStamp);
            _roomStamp = 1;
        }

        foreach (var n in nodes)
        {
            _roomNodeStamp[n] = _roomStamp;
        }

        var fullyFree = cluster.FullyFreeGpus;
        for (var s = 0; s < counts.Length; s++)
        {
            var k = pods[s].GpuCount;
            long pieces = 0;
            if (k > 0 && pods[s].GpuMilli >= Limits.GpuMilliPerGpu)
            {
                foreach (var n in nodes)
                {
                    pieces += fullyFree[n] / k;
                }
            }

            _roomPieces[s] = pieces;
        }
    }

    /// <summary>Releases <paramref name="v"/>'s pods in the statement, keeping the count started by <see cref="FollowRoom"/> current.</summary>
    public void ReleaseFollowingRoom(WorkloadState v)
    {
        if (++_roomVictim == int.MaxValue)
        {
            Array.Clear(_roomVictimStamp!);
            _roomVictim = 1;
        }

        var fullyFree = cluster.FullyFreeGpus;
        var touched = 0;
        foreach (var p in v.Placements)
        {
            var n = p.Node;
            if (_roomNodeStamp![n] == _roomStamp && _roomVictimStamp![n] != _roomVictim)
            {
                _roomVictimStamp[n] = _roomVictim;
                _roomTouched[touched++] = n;
                AddPieces(n, -1);
            }
        }

        foreach (var p in v.Placements)
        {
            statement.Release(p.Pod, p.Node, p.GpuMask);
        }

        for (var i = 0; i < touched; i++)
        {
            AddPieces(_roomTouched[i], +1);
        }

        void AddPieces(int n, int sign)
        {
            for (var s = 0; s < _roomCounts.Length; s++)
            {
                var k = _roomPods[s].GpuCount;
                if (k > 0 && _roomPods[s].GpuMilli >= Limits.GpuMilliPerGpu)
                {
                    _roomPieces[s] += sign * (fullyFree[n] / k);
                }
            }
        }
    }

    /// <summary>
    /// What <see cref="RoomFitting"/> would give with every workload in <paramref name="removed"/> (admitted, each at
    /// most once) taken off its nodes, as <see cref="WholeGpuPodsThatFitWithout"/> counts it for the gang being
    /// followed, but from the followed pieces: only the nodes the workloads leave are counted again. Changes nothing.
    /// </summary>
    public int RoomFittingWithout(ReadOnlySpan<WorkloadState> removed)
    {
        var gpuFree = cluster.GpuFree;
        var fullyFree = cluster.FullyFreeGpus;

        // On the followed nodes only (the others count for nothing).
        var touched = Freed(removed, followedOnly: true);
        var (freedMilli, touchedGpus, touchedNodes) = (_freedMilli!, _touchedGpus!, _touchedNodes!);

        // GPUs that become fully free, per node (the scratch starts and ends at zero on every node).
        _gained ??= new int[cluster.NodeCount];
        _gainedNodes ??= new int[cluster.NodeCount];
        var gainedNodes = 0;
        for (var i = 0; i < touched; i++)
        {
            var g = touchedGpus[i];
            if (gpuFree[g] < Limits.GpuMilliPerGpu && gpuFree[g] + freedMilli[g] >= Limits.GpuMilliPerGpu)
            {
                var n = touchedNodes[i];
                if (_gained[n]++ == 0)
                {
                    _gainedNodes[gainedNodes++] = n;
                }
            }

            freedMilli[g] = 0;
        }

        var fitting = 0;
        for (var s = 0; s < _roomCounts.Length; s++)
        {
            var k = _roomPods[s].GpuCount;
            if (k == 0 || _roomPods[s].GpuMilli < Limits.GpuMilliPerGpu)
            {
                fitting += _roomCounts[s];
                continue;
            }

            var pieces = _roomPieces[s];
            for (var i = 0; i < gainedNodes; i++)
            {
                var n = _gainedNodes[i];
                pieces += ((fullyFree[n] + _gained[n]) / k) - (fullyFree[n] / k);
            }

            fitting += (int)Math.Min(pieces, _roomCounts[s]);
        }

        for (var i = 0; i < gainedNodes; i++)
        {
            _gained[_gainedNodes[i]] = 0;
        }

        return fitting;
    }

    /// <summary>
    /// The milli-GPU each GPU gets back when every workload in <paramref name="removed"/> releases its pods (on the
    /// followed nodes only, with <paramref name="followedOnly"/>): the touched GPUs and their nodes in
    /// <see cref="_touchedGpus"/> and <see cref="_touchedNodes"/>, the amounts in <see cref="_freedMilli"/> (which the
    /// caller sets back to zero); returns how many GPUs were touched.
    /// </summary>
    private int Freed(ReadOnlySpan<WorkloadState> removed, bool followedOnly)
    {
        var gpuStart = cluster.GpuStart;
        _freedMilli ??= new int[cluster.GpuFree.Length];
        _touchedGpus ??= new int[cluster.GpuFree.Length];
        _touchedNodes ??= new int[cluster.GpuFree.Length];
        var touched = 0;
        foreach (var v in removed)
        {
            foreach (var p in v.Placements)
            {
                if (followedOnly && _roomNodeStamp![p.Node] != _roomStamp)
                {
                    continue;
                }

                var mask = p.GpuMask;
                var start = gpuStart[p.Node];
                while (mask != 0)
                {
                    var g = start + System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    if (_freedMilli[g] == 0)
                    {
                        _touchedNodes[touched] = p.Node;
                        _touchedGpus[touched++] = g;
                    }

                    _freedMilli[g] += p.Pod.GpuMilli;
                }
            }
        }

        return touched;
    }

    /// <summary>What <see cref="WholeGpuPodsThatFit(Pod[], int[], int[])"/> would give now for the gang being followed.</summary>
    public int RoomFitting()
    {
        var fitting = 0;
        for (var s = 0; s < _roomCounts.Length; s++)
        {
            var whole = _roomPods[s].GpuCount > 0 && _roomPods[s].GpuMilli >= Limits.GpuMilliPerGpu;
            fitting += whole ? (int)Math.Min(_roomPieces[s], _roomCounts[s]) : _roomCounts[s];
        }

        return fitting;
    }
}
