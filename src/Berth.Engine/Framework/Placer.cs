using Berth.Model;

namespace Berth.Engine.Framework;

/// <summary>
/// Runs placement decisions for one profile over one <see cref="ClusterState"/>:
/// 1. pre-filter (once per pod); 2. filter every node; 3. score the feasible ones (weighted, normalised);
/// 4. take the best, breaking ties by the profile's tie-break scores, then by the profile's rule;
/// 5. choose the GPUs inside it; 6. reserve (only in <see cref="Place"/>).
/// Deterministic for a given cluster state, pod sequence and seed. Not thread-safe.
/// </summary>
public sealed class Placer : INodeGrouper<NodeGroupKey>, INodeGrouper<Sharing.SharedChoice>
{
    private readonly ClusterState _cluster;
    private readonly PlacementProfile _profile;
    private readonly IPreFilterPlugin[] _preFilters;
    private readonly IFilterPlugin[] _filters;
    private readonly bool[] _filterActive;
    private readonly IScorePlugin[] _scores;
    private readonly double[] _weights;
    private readonly IScorePlugin[] _tieScores;
    private readonly IGpuSelector _selector;
    private readonly IReservePlugin[] _reservers;
    private readonly CycleState _state;
    private readonly int[] _feasible;
    private readonly double[] _total;
    private readonly double[] _partial;
    private readonly int[] _ties;
    private readonly int[] _rank;
    private readonly int[] _allNodes;
    private readonly IKeyedScorePlugin? _keyedScore;
    private readonly IKeyedScorePlugin? _keyedTie;
    private readonly bool _grouped;
    private readonly int[] _rankOf;
    private readonly int[] _nodeOfRank;
    private readonly Dictionary<PodClassKey, NodeGroupIndex<NodeGroupKey>> _indexes = new();
    private readonly Dictionary<PodClassKey, SharedGroupIndex> _sharedIndexes = new();
    private readonly bool _sharedGrouped;
    private readonly List<int> _bestGroups = [];
    private readonly Dictionary<(string?, int, int, long), Sharing.SharedChoiceMemo> _sharedMemos = new();
    private long _committed;
    private long _evaluations;

    /// <summary>
    /// At and above this many nodes, <see cref="PlacementScan.Auto"/> groups alike nodes. Below it a full scan costs tens
    /// of µs at most, and the openb experiments (1,213 nodes) keep the path their published figures were measured on.
    /// The crossover itself was not measured: decisions are the same either way.
    /// </summary>
    public const int GroupedFromNodes = 2048;

    /// <summary>The reason a node fails a pod that must be aligned to one NUMA node (single-numa-node).</summary>
    public const string NoNumaRoom = "no NUMA node holds the pod's GPUs, CPUs and memory (single-numa-node)";

    /// <summary>
    /// Memory for group indexes (4 bytes per node each): at 100,000 nodes about 160 pod classes keep theirs, at 12,500
    /// about 1,300. Past that the least recently used index is dropped and rebuilt (from every node) when next needed.
    /// </summary>
    public const long GroupIndexBudgetBytes = 64L << 20;

    public Placer(PlacementProfile profile, PluginContext context, int seed)
        : this(profile, context, seed, PlacementScan.Auto)
    {
    }

    public Placer(PlacementProfile profile, PluginContext context, int seed, PlacementScan scan)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(context);
        _profile = profile;
        _cluster = context.Cluster;
        var instances = new Dictionary<string, IPlugin>(StringComparer.Ordinal);
        IPlugin Get(string name)
        {
            if (!instances.TryGetValue(name, out var plugin))
            {
                plugin = PluginRegistry.Create(name, context);
                instances[name] = plugin;
            }

            return plugin;
        }

        _filters = profile.Filters.Select(name => Get(name) as IFilterPlugin
            ?? throw new ArgumentException($"profile {profile.Name}: plugin '{name}' is not a filter", nameof(profile))).ToArray();
        _scores = profile.Scores.Select(s => Get(s.Plugin) as IScorePlugin
            ?? throw new ArgumentException($"profile {profile.Name}: plugin '{s.Plugin}' is not a score", nameof(profile))).ToArray();
        _weights = profile.Scores.Select(s => s.Weight).ToArray();
        _tieScores = profile.TieBreakScores.Select(name => Get(name) as IScorePlugin
            ?? throw new ArgumentException($"profile {profile.Name}: plugin '{name}' is not a score", nameof(profile))).ToArray();
        _selector = Get(profile.GpuSelector) as IGpuSelector
            ?? throw new ArgumentException($"profile {profile.Name}: plugin '{profile.GpuSelector}' does not choose GPUs", nameof(profile));

        // Deterministic plugin order: the order they were first named in the profile.
        var all = instances.Values.ToArray();
        _preFilters = all.OfType<IPreFilterPlugin>().ToArray();
        _reservers = all.OfType<IReservePlugin>().ToArray();
        _filterActive = new bool[_filters.Length];
        _state = new CycleState(_cluster, seed, Math.Max(1, all.Length));
        _feasible = new int[_cluster.NodeCount];
        _total = new double[_cluster.NodeCount];
        _partial = new double[_cluster.NodeCount];
        _ties = new int[_cluster.NodeCount];
        _rank = new int[_cluster.NodeCount];
        _allNodes = Enumerable.Range(0, _cluster.NodeCount).ToArray();
        if (profile.TieBreak == TieBreak.SeededNodeOrder)
        {
            // A seeded permutation of the nodes, drawn from its own stream so that it does not shift other draws.
            var order = Enumerable.Range(0, _cluster.NodeCount).ToArray();
            new Random(unchecked(seed * 7919 + 17)).Shuffle(order);
            for (var i = 0; i < order.Length; i++)
            {
                _rank[order[i]] = i;
            }
        }

        // Grouping needs scores that can be keyed (not normalised over the feasible set) and a tie-break that is a
        // total order of the nodes; a random tie-break would need the tied nodes in index order.
        _keyedScore = _scores.Length == 1 && _scores[0] is IKeyedScorePlugin k and not INormalizeScorePlugin ? k : null;
        _keyedTie = _tieScores.Length == 1 ? _tieScores[0] as IKeyedScorePlugin : null;
        _grouped = scan != PlacementScan.Full
            && (scan == PlacementScan.Grouped || _cluster.NodeCount >= GroupedFromNodes)
            && _keyedScore is not null
            && (_tieScores.Length == 0 || _keyedTie is not null)
            && profile.TieBreak != TieBreak.Random;
        _rankOf = profile.TieBreak == TieBreak.SeededNodeOrder ? _rank : _allNodes;

        // Shared-GPU pods ignore the scores and break ties by rank alone, so their nodes can always be grouped.
        _sharedGrouped = scan != PlacementScan.Full && (scan == PlacementScan.Grouped || _cluster.NodeCount >= GroupedFromNodes);
        MaxGroupIndexes = Math.Max(8, GroupIndexBudgetBytes / (4L * Math.Max(1, _cluster.NodeCount)));
        _nodeOfRank = new int[_cluster.NodeCount];
        for (var node = 0; node < _nodeOfRank.Length; node++)
        {
            _nodeOfRank[_rankOf[node]] = node;
        }
    }

    /// <summary>How many pod classes keep a group index at once (from <see cref="GroupIndexBudgetBytes"/>; tests lower it to exercise eviction).</summary>
    internal long MaxGroupIndexes { get; set; }

    /// <summary>True when this placer scores groups of alike nodes rather than every node (<see cref="PlacementScan"/>).</summary>
    public bool IsGrouped => _grouped;

    public ClusterState Cluster => _cluster;

    public PlacementProfile Profile => _profile;

    /// <summary>
    /// When false, a pod that fits no node comes back without a <see cref="PlacementResult.Diagnosis"/> (the count of
    /// why each node refused it, a second pass over every node): for trials whose reasons nobody reads. True by default.
    /// </summary>
    public bool Explains { get; set; } = true;

    /// <summary>
    /// True when decisions draw from the seeded stream (random tie-break among equal nodes, or random GPUs): each
    /// counted decision, kept or not, then shifts the draws of those after it, so a caller may leave out a trial
    /// only where the trial would have stopped before placing anything. False: decisions depend on the cluster
    /// state alone, and a trial that is undone leaves no trace.
    /// </summary>
    public bool DrawsRandomly => _profile.TieBreak == TieBreak.Random || string.Equals(_profile.GpuSelector, PluginRegistry.RandomGpu, StringComparison.Ordinal);

    /// <summary>Decides where <paramref name="pod"/> goes and takes the resources there.</summary>
    public PlacementResult Place(Pod pod) => Place(pod, _allNodes);

    /// <summary>Decides where <paramref name="pod"/> goes among <paramref name="nodes"/> (ascending indices) and takes the resources there.</summary>
    public PlacementResult Place(Pod pod, ReadOnlySpan<int> nodes)
    {
        var result = Evaluate(pod, nodes);
        _committed++;
        if (result.Placed)
        {
            Reserve(_state.Request, result.NodeIndex, result.GpuMask);
        }

        return result;
    }

    /// <summary>
    /// As <see cref="Place(Pod, ReadOnlySpan{int})"/>, but not counted as a decision: a what-if that must not
    /// shift the random streams of the decisions that follow (they are derived from the decision count).
    /// </summary>
    public PlacementResult PlaceUncounted(Pod pod, ReadOnlySpan<int> nodes)
    {
        var result = Evaluate(pod, nodes);
        if (result.Placed)
        {
            Reserve(_state.Request, result.NodeIndex, result.GpuMask);
        }

        return result;
    }

    /// <summary>Decides where <paramref name="pod"/> would go, changing nothing (what-if).</summary>
    public PlacementResult Evaluate(Pod pod) => Evaluate(pod, _allNodes);

    /// <summary>Decides where <paramref name="pod"/> would go among <paramref name="nodes"/> (ascending indices), changing nothing.</summary>
    public PlacementResult Evaluate(Pod pod, ReadOnlySpan<int> nodes)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var request = _cluster.Compile(pod);
        _state.Reset(pod, request, _committed);

        // 1. Pre-filter.
        var pre = PreFilter();
        if (!pre.IsSuccess)
        {
            return new PlacementResult
            {
                Pod = pod,
                Diagnosis = new FilterDiagnosis(nodes.Length, [new ReasonCount(pre.Reason ?? "PreFilter", nodes.Length)]),
            };
        }

        if (request.IsShared)
        {
            return EvaluateShared(pod, request, nodes);
        }

        if (_grouped && nodes.Length == _cluster.NodeCount)
        {
            // Ascending distinct indices, as many as the cluster has: every node.
            return EvaluateGrouped(pod, request, nodes);
        }

        // 2. Filter.
        var feasibleCount = 0;
        foreach (var node in nodes)
        {
            if (Passes(node))
            {
                _feasible[feasibleCount++] = node;
            }
        }

        if (feasibleCount == 0)
        {
            return new PlacementResult { Pod = pod, Diagnosis = Explains ? Diagnose(nodes) : null };
        }

        // 3. Score.
        var feasible = _feasible.AsSpan(0, feasibleCount);
        var total = _total.AsSpan(0, feasibleCount);
        total.Clear();
        for (var s = 0; s < _scores.Length; s++)
        {
            var partial = _partial.AsSpan(0, feasibleCount);
            var scorer = _scores[s];
            for (var i = 0; i < feasible.Length; i++)
            {
                partial[i] = scorer.Score(_state, feasible[i]);
            }

            if (scorer is INormalizeScorePlugin normalizer)
            {
                normalizer.Normalize(_state, feasible, partial);
            }

            var weight = _weights[s];
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += weight * partial[i];
            }
        }

        // 4. Select the best node.
        var chosen = SelectNode(feasible, total);

        return Chosen(pod, request, chosen, feasibleCount);
    }

    /// <summary>
    /// Steps 2 to 4 over groups of alike nodes (<see cref="NodeGroupIndex{TKey}"/>): each group's score computed once, the best
    /// total kept, ties narrowed by the tie-break score, then the lowest-ranked member of the groups left. Every node of
    /// a group has the same total and tie-break score as its key, so this is the node the full scan takes.
    /// </summary>
    private PlacementResult EvaluateGrouped(Pod pod, in PodRequest request, ReadOnlySpan<int> nodes)
    {
        var index = IndexFor(pod, request);
        index.CatchUp((INodeGrouper<NodeGroupKey>)this);
        if (index.Feasible == 0)
        {
            return new PlacementResult { Pod = pod, Diagnosis = Explains ? Diagnose(nodes) : null };
        }

        var scorer = _keyedScore!;
        var weight = _weights[0];
        var best = double.NegativeInfinity;
        _bestGroups.Clear();
        for (var g = 0; g < index.GroupCount; g++)
        {
            if (index.CountOf(g) == 0)
            {
                continue;
            }

            // The same arithmetic as the full scan: a total that starts at zero, plus weight times the score.
            var total = 0.0;
            total += weight * scorer.ScoreOf(_state, index.KeyOf(g).Score);
            if (total > best)
            {
                best = total;
                _bestGroups.Clear();
                _bestGroups.Add(g);
            }
            else if (total == best)
            {
                _bestGroups.Add(g);
            }
        }

        if (_keyedTie is not null && _bestGroups.Count > 1)
        {
            var bestTie = double.NegativeInfinity;
            var kept = 0;
            for (var i = 0; i < _bestGroups.Count; i++)
            {
                var g = _bestGroups[i];
                var score = _keyedTie.ScoreOf(_state, index.KeyOf(g).Tie);
                if (score > bestTie)
                {
                    bestTie = score;
                    kept = 0;
                    _bestGroups[kept++] = g;
                }
                else if (score == bestTie)
                {
                    _bestGroups[kept++] = g;
                }
            }

            _bestGroups.RemoveRange(kept, _bestGroups.Count - kept);
        }

        var rank = int.MaxValue;
        foreach (var g in _bestGroups)
        {
            rank = Math.Min(rank, index.LowestRank(g));
        }

        return Chosen(pod, request, _nodeOfRank[rank], index.Feasible);
    }

    /// <summary>
    /// Steps 2 to 5 for a pod asking for MIG instances or time-sliced/MPS replicas: the nodes that share their GPUs that
    /// way and pass the filters (CPU, memory, selector, taints), each with its best place (<see cref="Sharing.SharedGpus"/>);
    /// the best of those wins (fewer re-partitions, less MIG fragment growth, fuller GPU), ties to the lower node rank.
    /// The profile's scores are not used: they measure whole-GPU fragmentation, which shared GPUs do not have.
    /// Over every node of a large cluster the nodes are grouped by their best place (<see cref="SharedGroupIndex"/>),
    /// which gives the same node and place.
    /// </summary>
    private PlacementResult EvaluateShared(Pod pod, in PodRequest request, ReadOnlySpan<int> nodes)
    {
        if (_sharedGrouped && nodes.Length == _cluster.NodeCount)
        {
            var index = SharedIndexFor(pod, request);
            if (!index.TryBest(this, out var rank))
            {
                return new PlacementResult { Pod = pod, Diagnosis = Explains ? DiagnoseShared(request, nodes) : null };
            }

            // The chosen node's place itself (its group knows only the cost), from the memo while the node is unchanged.
            var node = _nodeOfRank[rank];
            MemoFor(request).TryChoose(_cluster, node, request, out var choice);
            return SharedResult(pod, request, node, choice, index.Feasible);
        }

        var shared = _cluster.Shared;
        var memo = MemoFor(request);
        var best = -1;
        var bestChoice = default(Sharing.SharedChoice);
        var feasible = 0;
        foreach (var node in nodes)
        {
            if (!shared.IsShared[node] || !request.AllowsModel(_cluster.ModelOf[node]) || !memo.TryChoose(_cluster, node, request, out var choice) || !Passes(node))
            {
                continue;
            }

            feasible++;
            if (best < 0 || choice.IsBetterThan(bestChoice) || (!bestChoice.IsBetterThan(choice) && _rankOf[node] < _rankOf[best]))
            {
                best = node;
                bestChoice = choice;
            }
        }

        if (best < 0)
        {
            return new PlacementResult { Pod = pod, Diagnosis = Explains ? DiagnoseShared(request, nodes) : null };
        }

        return SharedResult(pod, request, best, bestChoice, feasible);
    }

    /// <summary>Step 5 for a shared-GPU pod: the result of placing it at <paramref name="bestChoice"/> on <paramref name="best"/>.</summary>
    private PlacementResult SharedResult(Pod pod, in PodRequest request, int best, Sharing.SharedChoice bestChoice, int feasible)
    {
        var gpus = _cluster.Shared.GpusOf(request, bestChoice.Mask);
        var indices = new int[System.Numerics.BitOperations.PopCount((uint)gpus)];
        for (int g = 0, k = 0; gpus >> g != 0; g++)
        {
            if ((gpus & (1 << g)) != 0)
            {
                indices[k++] = g;
            }
        }

        return new PlacementResult
        {
            Pod = pod,
            Assignment = new Assignment(pod.Name, _cluster.Nodes[best].Name, best, indices, 0),
            NodeIndex = best,
            GpuMask = bestChoice.Mask,
            FeasibleNodes = feasible,
            MigRepartitions = bestChoice.Repartitions,
        };
    }

    /// <summary>The memo of nodes' best places for this request's shape; a few dozen shapes at most in practice.</summary>
    private Sharing.SharedChoiceMemo MemoFor(in PodRequest request)
    {
        var key = (request.MigProfile, request.MigCount, request.SharedReplicas, request.SharedMemoryMiB);
        if (!_sharedMemos.TryGetValue(key, out var memo))
        {
            if (_sharedMemos.Count >= 64)
            {
                _sharedMemos.Clear();
            }

            memo = new Sharing.SharedChoiceMemo(_cluster.NodeCount);
            _sharedMemos[key] = memo;
        }

        return memo;
    }

    private FilterDiagnosis DiagnoseShared(in PodRequest request, ReadOnlySpan<int> nodes)
    {
        var shared = _cluster.Shared;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var reason = shared.KindProblem(node, request)
                ?? (!request.AllowsModel(_cluster.ModelOf[node]) ? Plugins.GpuModel.GpuModelFilter.ModelNotAllowed : null);
            if (reason is null && !Passes(node))
            {
                reason = Diagnose([node]).Reasons.FirstOrDefault()?.Reason ?? "filtered";
            }

            reason ??= request.MigCount > 0
                ? $"no idle MIG instance of {request.MigProfile}{(_cluster.Nodes[node].Sharing.MigRepartition ? " and no room to re-partition" : " in the static layout")}"
                : "no GPU with the replicas and GPU memory free";
            counts[reason] = counts.GetValueOrDefault(reason) + 1;
        }

        var reasons = counts.Select(kv => new ReasonCount(kv.Key, kv.Value))
            .OrderByDescending(r => r.Nodes).ThenBy(r => r.Reason, StringComparer.Ordinal).ToArray();
        return new FilterDiagnosis(nodes.Length, reasons);
    }

    /// <summary>Whether <paramref name="node"/> passes every active filter now and, if so, its group key. For <see cref="NodeGroupIndex{TKey}"/>.</summary>
    bool INodeGrouper<NodeGroupKey>.TryGroupKey(int node, out NodeGroupKey key)
    {
        if (!Passes(node))
        {
            key = default;
            return false;
        }

        key = new NodeGroupKey(_keyedScore!.Key(_state, node), _keyedTie is null ? default : _keyedTie.Key(_state, node));
        return true;
    }

    /// <summary>
    /// Whether <paramref name="node"/> may take the current shared-GPU pod now (its kind of sharing, GPU model, a place
    /// on its GPUs, the filters) and, if so, what its best place there costs (the choice without its mask, so that nodes
    /// alike but for where the place is fall in one group): the conditions of the scan of every node, in its order.
    /// </summary>
    bool INodeGrouper<Sharing.SharedChoice>.TryGroupKey(int node, out Sharing.SharedChoice key)
    {
        var request = _state.Request;
        key = default;
        if (!_cluster.Shared.IsShared[node] || !request.AllowsModel(_cluster.ModelOf[node]) || !_cluster.Shared.TryChoose(node, request, out var choice) || !Passes(node))
        {
            return false;
        }

        key = choice with { Mask = 0 };
        return true;
    }

    private SharedGroupIndex SharedIndexFor(Pod pod, in PodRequest request)
    {
        _evaluations++;
        var key = new PodClassKey(request, request.HasNodeConstraints ? Constraints(pod) : null);
        if (!_sharedIndexes.TryGetValue(key, out var index))
        {
            if (_sharedIndexes.Count >= MaxGroupIndexes)
            {
                var oldest = _sharedIndexes.MinBy(kv => kv.Value.LastUsed).Key;
                _sharedIndexes.Remove(oldest);
            }

            index = new SharedGroupIndex(_cluster, _rankOf, _nodeOfRank);
            _sharedIndexes[key] = index;
        }

        index.LastUsed = _evaluations;
        return index;
    }

    private NodeGroupIndex<NodeGroupKey> IndexFor(Pod pod, in PodRequest request)
    {
        _evaluations++;
        var key = new PodClassKey(request, request.HasNodeConstraints ? Constraints(pod) : null);
        if (!_indexes.TryGetValue(key, out var index))
        {
            if (_indexes.Count >= MaxGroupIndexes)
            {
                var oldest = _indexes.MinBy(kv => kv.Value.LastUsed).Key;
                _indexes.Remove(oldest);
            }

            index = new NodeGroupIndex<NodeGroupKey>(_cluster, _rankOf, _nodeOfRank);
            _indexes[key] = index;
        }

        index.LastUsed = _evaluations;
        return index;
    }

    /// <summary>The pod's node selector and tolerations as one unambiguous string (lengths before values).</summary>
    private static string? Constraints(Pod pod)
    {
        if (pod.NodeSelector.Count == 0 && pod.Tolerations.Count == 0)
        {
            return null;
        }

        var text = new System.Text.StringBuilder();
        static void Append(System.Text.StringBuilder text, string? value) =>
            (value is null ? text.Append('-') : text.Append(value.Length).Append(':').Append(value)).Append(' ');
        foreach (var (key, value) in pod.NodeSelector.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Append(text, key);
            Append(text, value);
        }

        text.Append('|');
        foreach (var toleration in pod.Tolerations)
        {
            Append(text, toleration.Key);
            Append(text, toleration.Operator.ToString());
            Append(text, toleration.Value);
            Append(text, toleration.Effect?.ToString());
        }

        return text.ToString();
    }

    /// <summary>5. Choose the GPUs inside the chosen node, and the result.</summary>
    private PlacementResult Chosen(Pod pod, in PodRequest request, int chosen, int feasibleCount)
    {
        var mask = request.IsCpuOnly ? 0 : _selector.SelectGpus(_state, chosen);
        if (_cluster.TopologyOf(chosen) is { } topology)
        {
            mask = topology.Choose(request, _cluster.GpuFreeOf(chosen), mask);
        }
        else if (_cluster.Nodes[chosen].NvlinkIslandSize is { } island && request.GpuCount > 1 && request.GpuMilli >= Limits.GpuMilliPerGpu)
        {
            mask = NvlinkIslands.Choose(_cluster.GpuFreeOf(chosen), request.GpuCount, island, mask);
        }

        var indices = new int[System.Numerics.BitOperations.PopCount((uint)mask)];
        for (int g = 0, k = 0; mask >> g != 0; g++)
        {
            if ((mask & (1 << g)) != 0)
            {
                indices[k++] = g;
            }
        }

        return new PlacementResult
        {
            Pod = pod,
            Assignment = new Assignment(pod.Name, _cluster.Nodes[chosen].Name, chosen, indices, request.IsCpuOnly ? 0 : request.GpuMilli),
            NodeIndex = chosen,
            GpuMask = mask,
            FeasibleNodes = feasibleCount,
        };
    }

    /// <summary>True when every filter of the profile accepts <paramref name="node"/> for <paramref name="pod"/> now.</summary>
    public bool CanHost(Pod pod, int node)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var request = _cluster.Compile(pod);
        _state.Reset(pod, request, _committed);
        return PreFilter().IsSuccess && Passes(node)
            && (!request.IsShared || (_cluster.Shared.IsShared[node] && request.AllowsModel(_cluster.ModelOf[node]) && MemoFor(request).TryChoose(_cluster, node, request, out _)));
    }

    /// <summary>Takes the request's resources on a node and tells the reserve plugins.</summary>
    public void Reserve(in PodRequest request, int node, int gpuMask)
    {
        _cluster.Allocate(node, request, gpuMask);
        foreach (var reserver in _reservers)
        {
            reserver.Reserve(request, node, gpuMask);
        }
    }

    /// <summary>Gives back what a placed pod holds (it finished, or was evicted, or a what-if is undone).</summary>
    public void Unreserve(Pod pod, int node, int gpuMask)
    {
        var request = _cluster.Compile(pod);
        _cluster.Release(node, request, gpuMask);
        foreach (var reserver in _reservers)
        {
            reserver.Unreserve(request, node, gpuMask);
        }
    }

    /// <summary>Runs every pre-filter; a Skip turns that plugin's filter off for this decision.</summary>
    private Status PreFilter()
    {
        for (var f = 0; f < _filters.Length; f++)
        {
            _filterActive[f] = true;
        }

        foreach (var pre in _preFilters)
        {
            var status = pre.PreFilter(_state);
            if (status.Code == StatusCode.Skip)
            {
                var index = Array.IndexOf(_filters, pre as IFilterPlugin);
                if (index >= 0)
                {
                    _filterActive[index] = false;
                }
            }
            else if (!status.IsSuccess)
            {
                return status.Reason is null ? Status.Unresolvable(pre.Name) : status;
            }
        }

        return Status.Success;
    }

    private bool Passes(int node)
    {
        for (var f = 0; f < _filters.Length; f++)
        {
            if (_filterActive[f] && !_filters[f].Filter(_state, node).IsSuccess)
            {
                return false;
            }
        }

        return _cluster.TopologyFits(node, _state.Request);
    }

    private FilterDiagnosis Diagnose(ReadOnlySpan<int> nodes)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            string? reason = null;
            for (var f = 0; f < _filters.Length && reason is null; f++)
            {
                if (_filterActive[f] && _filters[f].Filter(_state, node) is { IsSuccess: false } status)
                {
                    reason = status.Reason ?? _filters[f].Name;
                }
            }

            reason ??= _cluster.TopologyFits(node, _state.Request) ? null : NoNumaRoom;
            if (reason is not null)
            {
                counts[reason] = counts.GetValueOrDefault(reason) + 1;
            }
        }

        var reasons = counts.Select(kv => new ReasonCount(kv.Key, kv.Value))
            .OrderByDescending(r => r.Nodes).ThenBy(r => r.Reason, StringComparer.Ordinal).ToArray();
        return new FilterDiagnosis(nodes.Length, reasons);
    }

    private int SelectNode(ReadOnlySpan<int> feasible, ReadOnlySpan<double> total)
    {
        var best = double.NegativeInfinity;
        var tieCount = 0;
        for (var i = 0; i < feasible.Length; i++)
        {
            var score = total[i];
            if (score > best)
            {
                best = score;
                tieCount = 0;
                _ties[tieCount++] = feasible[i];
            }
            else if (score == best)
            {
                _ties[tieCount++] = feasible[i];
            }
        }

        // Tie-break scores narrow the tied set, one after the other.
        foreach (var tieScore in _tieScores)
        {
            if (tieCount == 1)
            {
                break;
            }

            var bestTie = double.NegativeInfinity;
            var kept = 0;
            for (var i = 0; i < tieCount; i++)
            {
                var node = _ties[i];
                var score = tieScore.Score(_state, node);
                if (score > bestTie)
                {
                    bestTie = score;
                    kept = 0;
                    _ties[kept++] = node;
                }
                else if (score == bestTie)
                {
                    _ties[kept++] = node;
                }
            }

            tieCount = kept;
        }

        if (tieCount == 1 || _profile.TieBreak == TieBreak.LowestIndex)
        {
            return _ties[0]; // feasible nodes are visited in index order, so this is the lowest index
        }

        if (_profile.TieBreak == TieBreak.SeededNodeOrder)
        {
            var first = _ties[0];
            for (var i = 1; i < tieCount; i++)
            {
                if (_rank[_ties[i]] < _rank[first])
                {
                    first = _ties[i];
                }
            }

            return first;
        }

        return _ties[_state.Random.Next(tieCount)];
    }
}
