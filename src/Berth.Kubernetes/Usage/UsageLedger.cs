using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Runtime.Yield;

namespace Berth.Kubernetes.Usage;

/// <summary>
/// GPU-seconds per UTC day, queue, namespace, user and GPU model, with the workloads behind them: what the operator's
/// showback keeps (in memory and in its ConfigMap) and what <c>GET /api/v1/usage</c> reports from. The granularity is a
/// UTC day: a period is reported as the whole days it overlaps. Not thread-safe: <see cref="UsageAccounting"/> guards it.
/// </summary>
public sealed class UsageLedger
{
    /// <summary>The version of <see cref="ToJson"/>'s format; <see cref="FromJson"/> refuses others.</summary>
    public const int FormatVersion = 1;

    private readonly SortedDictionary<UsageKey, UsageTotals> _entries = new(KeyOrder.Instance);

    public IReadOnlyDictionary<UsageKey, UsageTotals> Entries => _entries;

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Adds GPU-seconds of <paramref name="workload"/> to <paramref name="key"/>.</summary>
    public void Add(UsageKey key, double allocatedGpuSeconds, double usedGpuSeconds, string workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var totals = Totals(key);
        totals.AllocatedGpuSeconds += allocatedGpuSeconds;
        totals.UsedGpuSeconds += usedGpuSeconds;
        totals.Workloads.Add(workload);
    }

    /// <summary>Adds every entry of <paramref name="other"/> to this ledger.</summary>
    public void Merge(UsageLedger other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (key, from) in other._entries)
        {
            var totals = Totals(key);
            totals.AllocatedGpuSeconds += from.AllocatedGpuSeconds;
            totals.UsedGpuSeconds += from.UsedGpuSeconds;
            totals.Workloads.UnionWith(from.Workloads);
        }
    }

    /// <summary>A copy (for a report or a write, so the original can keep changing).</summary>
    public UsageLedger Copy()
    {
        var copy = new UsageLedger();
        copy.Merge(this);
        return copy;
    }

    /// <summary>Drops the days before <paramref name="firstKept"/>; returns how many entries went.</summary>
    public int DropBefore(DateOnly firstKept)
    {
        var old = _entries.Keys.Where(k => k.Day < firstKept).ToArray();
        foreach (var key in old)
        {
            _entries.Remove(key);
        }

        return old.Length;
    }

    /// <summary>The earliest day kept; null when empty.</summary>
    public DateOnly? FirstDay => _entries.Count == 0 ? null : _entries.Keys.Min(k => k.Day);

    /// <summary>
    /// The report over the UTC days that overlap [<paramref name="from"/>, <paramref name="to"/>) (its <c>from</c> and
    /// <c>to</c> are those days' bounds), only namespaces <paramref name="sees"/> accepts: rows per queue, namespace, user and
    /// GPU model (jobs: distinct workloads over those days), cost from <paramref name="prices"/>, and a row per day and queue.
    /// </summary>
    public UsageSummary Summary(DateTimeOffset from, DateTimeOffset to, PriceTable? prices, Func<string, bool> sees)
    {
        ArgumentNullException.ThrowIfNull(sees);
        var first = DateOnly.FromDateTime(from.UtcDateTime);
        var end = to.UtcDateTime.TimeOfDay == TimeSpan.Zero ? DateOnly.FromDateTime(to.UtcDateTime) : DateOnly.FromDateTime(to.UtcDateTime).AddDays(1);
        var picked = _entries.Where(e => e.Key.Day >= first && e.Key.Day < end && sees(e.Key.Namespace)).ToArray();
        var rows = picked.GroupBy(e => (e.Key.Queue, e.Key.Namespace, e.Key.User, e.Key.GpuModel))
            .OrderBy(g => g.Key.Queue, StringComparer.Ordinal).ThenBy(g => g.Key.Namespace, StringComparer.Ordinal)
            .ThenBy(g => g.Key.User, StringComparer.Ordinal).ThenBy(g => g.Key.GpuModel, StringComparer.Ordinal)
            .Select(g =>
            {
                var allocated = g.Sum(e => e.Value.AllocatedGpuSeconds) / 3600;
                return new UsageRow
                {
                    Queue = g.Key.Queue,
                    Namespace = g.Key.Namespace,
                    User = g.Key.User,
                    GpuModel = g.Key.GpuModel,
                    Jobs = g.SelectMany(e => e.Value.Workloads).Distinct(StringComparer.Ordinal).Count(),
                    AllocatedGpuHours = Math.Round(allocated, 4),
                    UsedGpuHours = Math.Round(g.Sum(e => e.Value.UsedGpuSeconds) / 3600, 4),
                    Cost = prices?.Price(g.Key.GpuModel) is { } price ? Math.Round(allocated * price, 2) : null,
                };
            }).ToArray();
        var days = picked.GroupBy(e => (e.Key.Day, e.Key.Queue))
            .OrderBy(g => g.Key.Day).ThenBy(g => g.Key.Queue, StringComparer.Ordinal)
            .Select(g => new UsageDay(g.Key.Day, g.Key.Queue, Math.Round(g.Sum(e => e.Value.AllocatedGpuSeconds) / 3600, 4), Math.Round(g.Sum(e => e.Value.UsedGpuSeconds) / 3600, 4)))
            .ToArray();
        return new UsageSummary
        {
            From = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            To = new DateTimeOffset(end.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            Currency = prices?.Currency,
            Rows = rows,
            Days = days,
        };
    }

    /// <summary>The ledger as the ConfigMap keeps it (see docs/KUBERNETES.md, Showback), with who wrote it and when.</summary>
    public string ToJson(string writer, long sequence, DateTimeOffset through)
    {
        var entries = new JsonArray();
        foreach (var (key, totals) in _entries)
        {
            entries.Add(new JsonObject
            {
                ["day"] = key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["queue"] = key.Queue,
                ["namespace"] = key.Namespace,
                ["user"] = key.User,
                ["gpuModel"] = key.GpuModel,
                ["allocatedGpuSeconds"] = Math.Round(totals.AllocatedGpuSeconds, 3),
                ["usedGpuSeconds"] = Math.Round(totals.UsedGpuSeconds, 3),
                ["workloads"] = new JsonArray(totals.Workloads.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray()),
            });
        }

        return new JsonObject
        {
            ["version"] = FormatVersion,
            ["writer"] = writer,
            ["sequence"] = sequence,
            ["through"] = through.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["entries"] = entries,
        }.ToJsonString();
    }

    /// <summary>Reads <see cref="ToJson"/>'s text; throws <see cref="FormatException"/> naming what is wrong and the fix.</summary>
    public static (UsageLedger Ledger, string? Writer, long Sequence) FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("usage.json is not a JSON object");
            if (root["version"]?.GetValue<int>() != FormatVersion)
            {
                throw new FormatException($"usage.json has version {root["version"]?.ToJsonString() ?? "none"}; this Berth reads version {FormatVersion} (delete the ConfigMap to start the accounting afresh)");
            }

            var ledger = new UsageLedger();
            foreach (var entry in root["entries"] as JsonArray ?? [])
            {
                var key = new UsageKey(
                    DateOnly.ParseExact(entry!["day"]!.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    entry["queue"]!.GetValue<string>(), entry["namespace"]!.GetValue<string>(), entry["user"]!.GetValue<string>(), entry["gpuModel"]!.GetValue<string>());
                var totals = ledger.Totals(key);
                totals.AllocatedGpuSeconds += entry["allocatedGpuSeconds"]!.GetValue<double>();
                totals.UsedGpuSeconds += entry["usedGpuSeconds"]!.GetValue<double>();
                foreach (var w in entry["workloads"] as JsonArray ?? [])
                {
                    totals.Workloads.Add(w!.GetValue<string>());
                }
            }

            return (ledger, root["writer"]?.GetValue<string>(), root["sequence"]?.GetValue<long>() ?? 0);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new FormatException($"usage.json cannot be read ({e.Message}); fix or delete the ConfigMap to start the accounting afresh", e);
        }
    }

    private UsageTotals Totals(UsageKey key)
    {
        if (!_entries.TryGetValue(key, out var totals))
        {
            _entries[key] = totals = new UsageTotals();
        }

        return totals;
    }

    /// <summary>Day, then queue, namespace, user, model: a total order, so the ConfigMap's text is the same for the same totals.</summary>
    private sealed class KeyOrder : IComparer<UsageKey>
    {
        public static KeyOrder Instance { get; } = new();

        public int Compare(UsageKey x, UsageKey y)
        {
            var c = x.Day.CompareTo(y.Day);
            c = c != 0 ? c : string.CompareOrdinal(x.Queue, y.Queue);
            c = c != 0 ? c : string.CompareOrdinal(x.Namespace, y.Namespace);
            c = c != 0 ? c : string.CompareOrdinal(x.User, y.User);
            return c != 0 ? c : string.CompareOrdinal(x.GpuModel, y.GpuModel);
        }
    }
}
