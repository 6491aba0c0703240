using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Quotas and usage of every queue and cohort, per flavor and resource, in flat arrays.
/// Tree nodes are the queues (indices 0..Q-1, in configuration order) then the cohorts.
/// Semantics (hierarchical, as users of Kueue cohorts expect):
/// <list type="bullet">
/// <item>guaranteed(n) = subtree(n) - lendingLimit(n) when a lending limit is set, else 0: kept for n alone;</item>
/// <item>subtree(queue) = nominal; subtree(cohort) = own nominal + sum over children of subtree(child) - guaranteed(child);</item>
/// <item>usage(cohort) = sum over children of max(0, usage(child) - guaranteed(child));</item>
/// <item>available(root) = subtree - usage; available(n) = max(0, guaranteed - usage) + min(available(parent),
///   subtree - guaranteed - max(0, usage - guaranteed) + borrowingLimit) (the second term without the borrowing limit when none is set).</item>
/// </list>
/// A resource a queue does not list in a flavor is not limited for it. Mutated only through <see cref="Add"/>.
/// </summary>
public sealed class QuotaTree
{
    private const long Unlimited = long.MaxValue / 4;
    private readonly int _slots; // flavors * resource kinds
    private readonly int[] _parent;
    private readonly long[] _nominal;
    private readonly long[] _borrowingLimit; // -1: none
    private readonly long[] _lendingLimit; // -1: none
    private readonly bool[] _limited; // queue slots only: does the queue limit this flavor-resource
    private readonly bool[] _hasFlavor; // queue x flavor
    private readonly long[] _subtree;
    private readonly long[] _guaranteed;
    private readonly long[] _usage;
    private readonly double[] _weight;
    private readonly int[] _root; // per tree node: the root of its tree
    private readonly long[] _version; // per root: bumped by every change of usage in its tree
    private readonly Dictionary<(int Queue, int Flavor, string Name), long> _deviceNominal = new();
    private readonly Dictionary<(int Queue, int Flavor, string Name), long> _deviceUsage = new();

    public QuotaTree(QueueConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Flavors = configuration.Flavors.Select(f => f.Name).ToArray();
        QueueNames = configuration.Queues.Select(q => q.Name).ToArray();
        CohortNames = configuration.Cohorts.Select(c => c.Name).ToArray();
        var flavorIndex = Flavors.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        var cohortIndex = CohortNames.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => QueueNames.Count + x.i, StringComparer.Ordinal);
        QueueCount = QueueNames.Count;
        NodeCount = QueueCount + CohortNames.Count;
        _slots = Flavors.Count * Resources.KindCount;
        _parent = new int[NodeCount];
        _weight = new double[NodeCount];
        _nominal = new long[NodeCount * _slots];
        _borrowingLimit = new long[NodeCount * _slots];
        _lendingLimit = new long[NodeCount * _slots];
        _limited = new bool[NodeCount * _slots];
        _hasFlavor = new bool[QueueCount * Math.Max(1, Flavors.Count)];
        _subtree = new long[NodeCount * _slots];
        _guaranteed = new long[NodeCount * _slots];
        _usage = new long[NodeCount * _slots];
        Array.Fill(_borrowingLimit, -1);
        Array.Fill(_lendingLimit, -1);

        for (var q = 0; q < QueueCount; q++)
        {
            var queue = configuration.Queues[q];
            _parent[q] = queue.Cohort is { } c ? cohortIndex[c] : -1;
            _weight[q] = queue.Weight;
            Load(q, queue.Flavors, flavorIndex);
        }

        for (var c = 0; c < CohortNames.Count; c++)
        {
            var cohort = configuration.Cohorts[c];
            var node = QueueCount + c;
            _parent[node] = cohort.Parent is { } p ? cohortIndex[p] : -1;
            _weight[node] = cohort.Weight;
            Load(node, cohort.Quotas, flavorIndex);
        }

        SumSubtrees();
        _root = Enumerable.Range(0, NodeCount).Select(RootOf).ToArray();
        _version = new long[NodeCount];
    }

    /// <summary>Records the quotas of one tree node (a queue or a cohort).</summary>
    private void Load(int node, IReadOnlyList<FlavorQuota> quotas, Dictionary<string, int> flavorIndex)
    {
        foreach (var quota in quotas)
        {
            var f = flavorIndex[quota.Flavor];
            if (node < QueueCount)
            {
                _hasFlavor[node * Flavors.Count + f] = true;
                foreach (var (name, nominal) in quota.Devices)
                {
                    _deviceNominal[(node, f, name)] = nominal;
                }
            }

            for (var k = 0; k < Resources.KindCount; k++)
            {
                if (quota[(ResourceKind)k] is not { } q)
                {
                    continue;
                }

                var slot = node * _slots + f * Resources.KindCount + k;
                _limited[slot] = true;
                _nominal[slot] = q.Nominal;
                _borrowingLimit[slot] = q.BorrowingLimit ?? -1;
                _lendingLimit[slot] = q.LendingLimit ?? -1;
            }
        }
    }

    /// <summary>Limits propagate up the tree; subtree and guaranteed quotas are summed bottom-up.</summary>
    private void SumSubtrees()
    {
        // A cohort limits a flavor-resource when any node below it does.
        for (var n = 0; n < NodeCount; n++)
        {
            for (var s = 0; s < _slots; s++)
            {
                if (_limited[n * _slots + s])
                {
                    for (var p = _parent[n]; p >= 0; p = _parent[p])
                    {
                        _limited[p * _slots + s] = true;
                    }
                }
            }
        }

        // Subtree quotas bottom-up: process nodes deepest first.
        var depth = new int[NodeCount];
        for (var n = 0; n < NodeCount; n++)
        {
            for (var p = _parent[n]; p >= 0; p = _parent[p])
            {
                depth[n]++;
            }
        }

        foreach (var n in Enumerable.Range(0, NodeCount).OrderByDescending(n => depth[n]).ThenBy(n => n))
        {
            for (var s = 0; s < _slots; s++)
            {
                var slot = n * _slots + s;
                _subtree[slot] += _nominal[slot];
                _guaranteed[slot] = _lendingLimit[slot] >= 0 ? Math.Max(0, _subtree[slot] - _lendingLimit[slot]) : 0;
                if (_parent[n] >= 0)
                {
                    _subtree[_parent[n] * _slots + s] += _subtree[slot] - _guaranteed[slot];
                }
            }
        }
    }

    public IReadOnlyList<string> Flavors { get; }

    public IReadOnlyList<string> QueueNames { get; }

    public IReadOnlyList<string> CohortNames { get; }

    public int QueueCount { get; }

    /// <summary>Queues plus cohorts.</summary>
    public int NodeCount { get; }

    public bool QueueHasFlavor(int queue, int flavor) => _hasFlavor[queue * Flavors.Count + flavor];

    public int ParentOf(int node) => _parent[node];

    /// <summary>The root of the tree that <paramref name="node"/> belongs to (itself for a queue without cohort).</summary>
    public int RootOf(int node)
    {
        while (_parent[node] >= 0)
        {
            node = _parent[node];
        }

        return node;
    }

    public bool IsLimited(int node, int flavor, ResourceKind kind) => _limited[Slot(node, flavor, kind)];

    public long Nominal(int node, int flavor, ResourceKind kind) => _nominal[Slot(node, flavor, kind)];

    public long Usage(int node, int flavor, ResourceKind kind) => _usage[Slot(node, flavor, kind)];

    public long? BorrowingLimit(int node, int flavor, ResourceKind kind) => _borrowingLimit[Slot(node, flavor, kind)] is var b && b >= 0 ? b : null;

    public long? LendingLimit(int node, int flavor, ResourceKind kind) => _lendingLimit[Slot(node, flavor, kind)] is var l && l >= 0 ? l : null;

    /// <summary>The total quota of a tree node's subtree (its own nominal plus what its children lend).</summary>
    public long SubtreeQuota(int node, int flavor, ResourceKind kind) => _subtree[Slot(node, flavor, kind)];

    /// <summary>How much more of the resource queue <paramref name="queue"/> may take in the flavor now, borrowing included.</summary>
    public long Available(int queue, int flavor, ResourceKind kind) => Available(queue, Slot(0, flavor, kind), honourBorrowingLimit: true);

    /// <summary>As <see cref="Available(int,int,ResourceKind)"/>, but as if the queue had no borrowing limit (to tell the two reasons apart).</summary>
    public long AvailableIgnoringBorrowingLimit(int queue, int flavor, ResourceKind kind) => Available(queue, Slot(0, flavor, kind), honourBorrowingLimit: false);

    /// <summary>The most the queue could ever take in the flavor: what is available when nothing at all is in use.</summary>
    public long Ceiling(int queue, int flavor, ResourceKind kind)
    {
        var s = Slot(0, flavor, kind);
        if (!_limited[queue * _slots + s])
        {
            return Unlimited;
        }

        long parentCeiling = 0;
        var node = queue;
        long result = 0;
        var path = new List<int>();
        for (var n = queue; n >= 0; n = _parent[n])
        {
            path.Add(n);
        }

        // Walk down from the root with zero usage.
        for (var i = path.Count - 1; i >= 0; i--)
        {
            node = path[i];
            var slot = node * _slots + s;
            if (i == path.Count - 1)
            {
                result = _subtree[slot];
                continue;
            }

            parentCeiling = result;
            var fromParent = parentCeiling;
            if (_borrowingLimit[slot] >= 0)
            {
                fromParent = Math.Min(fromParent, _subtree[slot] - _guaranteed[slot] + _borrowingLimit[slot]);
            }

            result = _guaranteed[slot] + fromParent;
        }

        return result;
    }

    /// <summary>
    /// The first device resource of <paramref name="request"/> (by name) that would take the queue past its own device
    /// quota in the flavor, with the quota and what the queue uses now; null when every one fits (or none is limited).
    /// Device quotas are the queue's own caps: no cohort borrowing or lending.
    /// </summary>
    public (string Name, long Nominal, long Usage, long Amount)? DeviceOverflow(int queue, int flavor, Model.Queueing.Resources request)
    {
        if (_deviceNominal.Count == 0 || request.Devices is not { } devices)
        {
            return null;
        }

        foreach (var name in devices.Names)
        {
            var amount = devices[name];
            if (amount > 0 && _deviceNominal.TryGetValue((queue, flavor, name), out var nominal))
            {
                var usage = _deviceUsage.GetValueOrDefault((queue, flavor, name));
                if (usage + amount > nominal)
                {
                    return (name, nominal, usage, amount);
                }
            }
        }

        return null;
    }

    /// <summary>What the queue uses of device resource <paramref name="name"/> in the flavor (0 when the queue does not limit it).</summary>
    public long DeviceUsage(int queue, int flavor, string name) => _deviceUsage.GetValueOrDefault((queue, flavor, name));

    /// <summary>True when <paramref name="request"/> fits the queue's quota in the flavor now.</summary>
    public bool Fits(int queue, int flavor, Model.Queueing.Resources request)
    {
        if (DeviceOverflow(queue, flavor, request) is not null)
        {
            return false;
        }

        for (var k = 0; k < Resources.KindCount; k++)
        {
            var amount = request[(ResourceKind)k];
            if (amount > 0 && _limited[Slot(queue, flavor, (ResourceKind)k)] && amount > Available(queue, flavor, (ResourceKind)k))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the queue uses more than its nominal quota of some resource in the flavor.</summary>
    public bool IsBorrowing(int queue, int flavor)
    {
        for (var k = 0; k < Resources.KindCount; k++)
        {
            var slot = Slot(queue, flavor, (ResourceKind)k);
            if (_limited[slot] && _usage[slot] > _nominal[slot])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A number that changes whenever usage anywhere in the tree of <paramref name="queue"/> changes (and only then
    /// stays put): every quota answer for the queue (available, borrowing, reasons) is a function of the usage in its
    /// own tree, so an answer computed at an equal version is still the answer. Lets a cycle reuse a quota failure.
    /// </summary>
    public long Version(int queue) => _version[_root[queue]];

    /// <summary>Adds <paramref name="delta"/> (negative to remove) to the queue's usage in the flavor, and up the tree.</summary>
    public void Add(int queue, int flavor, Model.Queueing.Resources delta)
    {
        _version[_root[queue]]++;
        if (_deviceNominal.Count > 0 && delta.Devices is { } devices)
        {
            foreach (var name in devices.Names)
            {
                if (_deviceNominal.ContainsKey((queue, flavor, name)))
                {
                    _deviceUsage[(queue, flavor, name)] = _deviceUsage.GetValueOrDefault((queue, flavor, name)) + devices[name];
                }
            }
        }

        for (var k = 0; k < Resources.KindCount; k++)
        {
            var d = delta[(ResourceKind)k];
            if (d == 0)
            {
                continue;
            }

            var s = flavor * Resources.KindCount + k;
            var node = queue;
            while (d != 0)
            {
                var slot = node * _slots + s;
                var before = Math.Max(0, _usage[slot] - _guaranteed[slot]);
                _usage[slot] += d;
                var after = Math.Max(0, _usage[slot] - _guaranteed[slot]);
                var parent = _parent[node];
                if (parent < 0)
                {
                    break;
                }

                d = after - before;
                node = parent;
            }
        }
    }

    /// <summary>
    /// Weighted dominant-resource share of a queue: the largest, over the flavor-resources it limits, of
    /// its usage above nominal divided by the tree's total quota of that flavor-resource, divided by its
    /// weight; <paramref name="extra"/> is added to its usage in <paramref name="flavor"/> first (share after admission).
    /// </summary>
    public double Share(int queue, int flavor = -1, Model.Queueing.Resources extra = default)
    {
        var root = RootOf(queue);
        if (root == queue)
        {
            return 0; // a queue outside any cohort borrows nothing
        }

        var best = 0.0;
        for (var f = 0; f < Flavors.Count; f++)
        {
            for (var k = 0; k < Resources.KindCount; k++)
            {
                var slot = Slot(queue, f, (ResourceKind)k);
                if (!_limited[slot])
                {
                    continue;
                }

                var usage = _usage[slot] + (f == flavor ? extra[(ResourceKind)k] : 0);
                var above = usage - _nominal[slot];
                if (above <= 0)
                {
                    continue;
                }

                var pool = Math.Max(1, _subtree[Slot(root, f, (ResourceKind)k)]);
                best = Math.Max(best, (double)above / pool);
            }
        }

        return best / _weight[queue];
    }

    private int Slot(int node, int flavor, ResourceKind kind) => node * _slots + flavor * Resources.KindCount + (int)kind;

    private long Available(int node, int s, bool honourBorrowingLimit)
    {
        var slot = node * _slots + s;
        if (node < QueueCount && !_limited[slot])
        {
            return Unlimited;
        }

        var parent = _parent[node];
        if (parent < 0)
        {
            return _subtree[slot] - _usage[slot];
        }

        var local = Math.Max(0, _guaranteed[slot] - _usage[slot]);
        var fromParent = Available(parent, s, honourBorrowingLimit: true);
        if (_borrowingLimit[slot] >= 0 && (honourBorrowingLimit || node >= QueueCount))
        {
            var storedInParent = _subtree[slot] - _guaranteed[slot];
            var usedInParent = Math.Max(0, _usage[slot] - _guaranteed[slot]);
            fromParent = Math.Min(fromParent, storedInParent - usedInParent + _borrowingLimit[slot]);
        }

        return local + Math.Max(0, fromParent);
    }
}
