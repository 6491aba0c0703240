using System.Globalization;
using Berth.Model.Queueing;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Snapshots;

/// <summary>
/// A what-if change of one nominal quota: <c>QUEUE/FLAVOR/RESOURCE=AMOUNT</c>, RESOURCE one of <c>gpu</c>
/// (GPUs, fractions allowed), <c>cpu</c> (cores or millicores: 64, 500m) or <c>memory</c> (512Gi). Borrowing and
/// lending limits stay as they are.
/// </summary>
public sealed record QuotaOverride(string Queue, string Flavor, ResourceKind Resource, long Nominal)
{
    public const string Syntax = "QUEUE/FLAVOR/RESOURCE=AMOUNT (RESOURCE gpu, cpu or memory), e.g. team-a/a100/gpu=16";

    /// <summary>Parses one <c>--set-quota</c> value; throws <see cref="InputException"/> naming the option and the fix.</summary>
    public static QuotaOverride Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var path = equals < 0 ? [] : text[..equals].Split('/');
        if (equals < 0 || path.Length != 3 || path.Any(p => p.Trim().Length == 0))
        {
            throw new InputException($"--set-quota '{text}': give {Syntax}");
        }

        var amount = text[(equals + 1)..].Trim();
        var resource = path[2].Trim().ToLowerInvariant();
        var (kind, ok, value) = resource switch
        {
            "gpu" or "gpus" => (ResourceKind.Gpu, ScenarioUnits.TryParseDecimal(amount, 1000, out var g) && g >= 0, g),
            "cpu" => (ResourceKind.Cpu, ScenarioUnits.TryParseCpu(amount, out var c) && c >= 0, c),
            "memory" => (ResourceKind.Memory, ScenarioUnits.TryParseMemory(amount, out var m) && m >= 0, m),
            _ => throw new InputException($"--set-quota '{text}': unknown resource '{path[2]}'; use gpu, cpu or memory"),
        };
        if (!ok)
        {
            var example = kind switch { ResourceKind.Gpu => "16 or 0.5", ResourceKind.Cpu => "64 or 500m", _ => "512Gi" };
            throw new InputException($"--set-quota '{text}': '{amount}' is not an amount of {resource} of 0 or more; give e.g. {example}");
        }

        return new QuotaOverride(path[0].Trim(), path[1].Trim(), kind, value);
    }

    /// <summary>The configuration with this quota changed; throws <see cref="InputException"/> for an unknown queue or flavor.</summary>
    public QueueConfiguration Apply(QueueConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var queue = configuration.Queues.FirstOrDefault(q => q.Name == Queue)
            ?? throw new InputException($"--set-quota {this}: the snapshot has no valid queue '{Queue}'; its queues are: {Names(configuration.Queues.Select(q => q.Name))}");
        var index = queue.Flavors.ToList().FindIndex(f => f.Flavor == Flavor);
        if (index < 0)
        {
            throw new InputException($"--set-quota {this}: queue '{Queue}' has no quota in flavor '{Flavor}'; its flavors are: {Names(queue.Flavors.Select(f => f.Flavor))}");
        }

        var old = queue.Flavors[index];
        var quota = (old[Resource] ?? new ResourceQuota(0)) with { Nominal = Nominal };
        if (quota.LendingLimit is { } lend && lend > Nominal)
        {
            quota = quota with { LendingLimit = Nominal };
        }

        var changed = Resource switch
        {
            ResourceKind.Gpu => old with { Gpu = quota },
            ResourceKind.Cpu => old with { Cpu = quota },
            _ => old with { Memory = quota },
        };
        var flavors = queue.Flavors.ToArray();
        flavors[index] = changed;
        return configuration with { Queues = configuration.Queues.Select(q => q.Name == Queue ? q with { Flavors = flavors } : q).ToArray() };
    }

    public override string ToString()
    {
        var amount = Resource switch
        {
            ResourceKind.Gpu => (Nominal / 1000m).ToString(CultureInfo.InvariantCulture),
            ResourceKind.Cpu => (Nominal / 1000m).ToString(CultureInfo.InvariantCulture),
            _ => Nominal.ToString(CultureInfo.InvariantCulture) + "Mi",
        };
        return $"{Queue}/{Flavor}/{Resource.ToString().ToLowerInvariant()}={amount}";
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToArray();
        return list.Length == 0 ? "(none)" : string.Join(", ", list);
    }
}
