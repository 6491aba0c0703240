using System.Globalization;
using System.Text.Json;
using Berth.Model.Queueing;
using Berth.Server.Api;

namespace Berth.Server.Loop;

/// <summary>
/// Admins' queue edits: applied to the configured cluster, checked as a whole, and kept in the store (meta key
/// <see cref="MetaKey"/>, every queue's edits merged) so that a restart starts from them.
/// </summary>
public static class QueueEdits
{
    public const string MetaKey = "queue-edits";

    public const string CohortMetaKey = "cohort-edits";

    /// <summary>
    /// The cluster with <paramref name="edit"/> applied to cohort <paramref name="name"/> (its weight among its siblings
    /// and GPU quotas of its own, which its members may borrow; a flavor it has no quota in gets one); throws
    /// <see cref="QueueEditException"/> naming the field.
    /// </summary>
    public static ServerCluster ApplyCohort(ServerCluster cluster, string name, QueueEdit edit)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(edit);
        var cohorts = cluster.Configuration.Cohorts.ToArray();
        var index = Array.FindIndex(cohorts, c => c.Name == name);
        if (index < 0)
        {
            throw new QueueEditException("name", $"no cohort {name}; list them with GET /api/v1/cohorts");
        }

        if (edit.StopPolicy is not null)
        {
            throw new QueueEditException("stopPolicy", "a cohort has no stop policy; hold its queues instead (PATCH /api/v1/queues/{name})");
        }

        var cohort = cohorts[index];
        if (edit.Weight is { } weight)
        {
            cohort = cohort with { Weight = Weight(weight) };
        }

        var quotas = cohort.Quotas.ToList();
        for (var i = 0; i < (edit.Quota?.Count ?? 0); i++)
        {
            var q = edit.Quota![i];
            if (q.Flavor is null || cluster.Configuration.Flavors.All(f => f.Name != q.Flavor))
            {
                throw new QueueEditException($"quota[{i}].flavor", $"flavor '{q.Flavor}' is not declared; give one of {string.Join(", ", cluster.Configuration.Flavors.Select(f => f.Name))}");
            }

            var at = quotas.FindIndex(f => f.Flavor == q.Flavor);
            var current = at >= 0 ? quotas[at] : new FlavorQuota(q.Flavor);
            current = current with { Gpu = Gpu(current.Gpu, q, i) };
            if (at >= 0)
            {
                quotas[at] = current;
            }
            else
            {
                quotas.Add(current);
            }
        }

        cohorts[index] = cohort with { Quotas = quotas };
        var edited = cluster with { Configuration = cluster.Configuration with { Cohorts = cohorts } };
        try
        {
            edited.Configuration.Validate();
        }
        catch (ArgumentException e)
        {
            throw new QueueEditException(e.ParamName ?? "quota", e.Message);
        }

        return edited;
    }

    /// <summary>The cluster with <paramref name="edit"/> applied to queue <paramref name="name"/>; throws <see cref="QueueEditException"/> naming the field.</summary>
    public static ServerCluster Apply(ServerCluster cluster, string name, QueueEdit edit)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(edit);
        var queues = cluster.Configuration.Queues.ToArray();
        var index = Array.FindIndex(queues, q => q.Name == name);
        if (index < 0)
        {
            throw new QueueEditException("name", $"no queue {name}; list them with GET /api/v1/queues (berth queues)");
        }

        var queue = queues[index];
        if (edit.Weight is { } weight)
        {
            queue = queue with { Weight = Weight(weight) };
        }

        if (edit.StopPolicy is { } stop)
        {
            queue = queue with
            {
                Stop = stop switch
                {
                    "None" => StopPolicy.None,
                    "Hold" => StopPolicy.Hold,
                    "HoldAndDrain" => StopPolicy.HoldAndDrain,
                    _ => throw new QueueEditException("stopPolicy", $"stopPolicy '{stop}' is unknown; give None, Hold or HoldAndDrain"),
                },
            };
        }

        var flavors = queue.Flavors.ToArray();
        for (var i = 0; i < (edit.Quota?.Count ?? 0); i++)
        {
            var q = edit.Quota![i];
            var at = Array.FindIndex(flavors, f => f.Flavor == q.Flavor);
            if (at < 0)
            {
                throw new QueueEditException($"quota[{i}].flavor", $"queue {name} has no quota in flavor '{q.Flavor}'; give one of {string.Join(", ", flavors.Select(f => f.Flavor))}");
            }

            flavors[at] = flavors[at] with { Gpu = Gpu(flavors[at].Gpu, q, i) };
        }

        queues[index] = queue with { Flavors = flavors };
        var edited = cluster with { Configuration = cluster.Configuration with { Queues = queues } };
        try
        {
            edited.Configuration.Validate();
        }
        catch (ArgumentException e)
        {
            throw new QueueEditException(e.ParamName ?? "quota", e.Message);
        }

        return edited;
    }

    /// <summary>The cluster with every kept edit applied (cohorts first); an edit that no longer fits the configuration is skipped and reported.</summary>
    public static ServerCluster ApplyKept(ServerCluster cluster, string? kept, List<string> skipped, string? keptCohorts = null)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        foreach (var (name, edit) in Read(keptCohorts))
        {
            try
            {
                cluster = ApplyCohort(cluster, name, edit);
            }
            catch (QueueEditException e)
            {
                skipped.Add($"cohort edit of {name} no longer applies ({e.Message}); it is dropped");
            }
        }

        foreach (var (name, edit) in Read(kept))
        {
            try
            {
                cluster = Apply(cluster, name, edit);
            }
            catch (QueueEditException e)
            {
                skipped.Add($"queue edit of {name} no longer applies ({e.Message}); it is dropped");
            }
        }

        return cluster;
    }

    /// <summary>The kept edits with <paramref name="edit"/> merged into queue <paramref name="name"/>'s, as the store keeps them.</summary>
    public static string Merge(string? kept, string name, QueueEdit edit)
    {
        var all = Read(kept);
        var previous = all.GetValueOrDefault(name) ?? new QueueEdit();
        var quota = (previous.Quota ?? []).Where(p => !(edit.Quota ?? []).Any(q => q.Flavor == p.Flavor)).Concat(edit.Quota ?? []).ToArray();
        all[name] = new QueueEdit { Weight = edit.Weight ?? previous.Weight, StopPolicy = edit.StopPolicy ?? previous.StopPolicy, Quota = quota };
        return JsonSerializer.Serialize(all, ApiJson.Responses);
    }

    private static SortedDictionary<string, QueueEdit> Read(string? kept) =>
        kept is null ? new(StringComparer.Ordinal) : new(JsonSerializer.Deserialize<Dictionary<string, QueueEdit>>(kept, ApiJson.Responses) ?? [], StringComparer.Ordinal);

    private static double Weight(double weight) => weight > 0 && !double.IsInfinity(weight)
        ? weight
        : throw new QueueEditException("weight", $"weight is {weight.ToString(CultureInfo.InvariantCulture)}; give a positive number (1: an equal share)");

    /// <summary>A GPU quota with the fields <paramref name="q"/> (entry <paramref name="i"/> of the edit) gives, the rest kept.</summary>
    private static ResourceQuota Gpu(ResourceQuota? old, QuotaEdit q, int i)
    {
        old ??= new ResourceQuota(0);
        return new ResourceQuota(
            Milli(q.Gpus, $"quota[{i}].gpus") ?? old.Nominal,
            Milli(q.BorrowingLimit, $"quota[{i}].borrowingLimit") ?? old.BorrowingLimit,
            Milli(q.LendingLimit, $"quota[{i}].lendingLimit") ?? old.LendingLimit);
    }

    private static long? Milli(double? gpus, string field) => gpus switch
    {
        null => null,
        >= 0 and <= 1_000_000 when double.IsFinite(gpus.Value) => (long)Math.Round(gpus.Value * 1000),
        _ => throw new QueueEditException(field, $"{field} is {gpus.Value.ToString(CultureInfo.InvariantCulture)}; give GPUs, 0 or more (0.5 for half a GPU)"),
    };
}

/// <summary>A queue edit the server refuses: <see cref="Field"/> and the fix in the message.</summary>
public sealed class QueueEditException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
