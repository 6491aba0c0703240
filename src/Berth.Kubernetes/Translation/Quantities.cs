using System.Globalization;
using Berth.Kubernetes.Api;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Converts Kubernetes quantities (<c>8</c>, <c>500m</c>, <c>16Gi</c>, <c>1e3</c>) to the model's units and back:
/// CPU in milli-cores, memory in MiB, GPU in milli-GPU (1000 = one GPU). Requests and quotas round up to
/// the unit, as Kubernetes does (<c>100M</c> of memory is 96 MiB); node capacity rounds down, so that
/// Berth never counts on capacity a node does not have.
/// </summary>
public static class Quantities
{
    private const decimal BytesPerMiB = 1024m * 1024m;

    /// <summary>Parses <paramref name="text"/> as a quantity of <paramref name="kind"/> in the model's unit, rounding up; false when it is not a quantity or is out of range. Negative values parse (the caller judges them).</summary>
    public static bool TryParse(string? text, ResourceKind kind, out long value) => TryParse(text, kind, roundUp: true, out value);

    /// <summary>As <see cref="TryParse(string?, ResourceKind, out long)"/>, rounding down (node capacity).</summary>
    public static bool TryParseCapacity(string? text, ResourceKind kind, out long value) => TryParse(text, kind, roundUp: false, out value);

    /// <summary>The quantity of <paramref name="kind"/> of a parsed <see cref="ResourceQuantity"/>, rounded up or down.</summary>
    internal static bool TryConvert(ResourceQuantity? quantity, ResourceKind kind, bool roundUp, out long value)
    {
        value = 0;
        if (quantity is null)
        {
            return false;
        }

        try
        {
            return TryConvert(quantity.ToDecimal(), kind, roundUp, out value);
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>An amount in base units (cores, bytes, GPUs) in the model's unit of <paramref name="kind"/>, rounded up or down.</summary>
    internal static bool TryConvert(decimal amount, ResourceKind kind, bool roundUp, out long value)
    {
        value = 0;
        try
        {
            var scaled = amount * Factor(kind);
            var rounded = roundUp ? decimal.Ceiling(scaled) : decimal.Floor(scaled);
            if (rounded > long.MaxValue || rounded < long.MinValue)
            {
                return false;
            }

            value = (long)rounded;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Parses a quantity's text; null when it is not one.</summary>
    internal static ResourceQuantity? ParseQuantity(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() != text)
        {
            return null;
        }

        try
        {
            var quantity = new ResourceQuantity(text);
            _ = quantity.ToDecimal();
            return quantity;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>CPU milli-cores as a quantity: <c>2</c> for whole cores, else <c>500m</c>.</summary>
    public static string FormatCpu(long milli) => milli % 1000 == 0 ? Text(milli / 1000) : Text(milli) + "m";

    /// <summary>Memory MiB as a quantity: <c>16Gi</c> when a whole number of GiB, else <c>100Mi</c>.</summary>
    public static string FormatMemory(long mib) => mib == 0 ? "0" : mib % 1024 == 0 ? Text(mib / 1024) + "Gi" : Text(mib) + "Mi";

    /// <summary>Milli-GPU as a quantity: <c>8</c> for whole GPUs, else <c>500m</c>.</summary>
    public static string FormatGpu(long milli) => milli % 1000 == 0 ? Text(milli / 1000) : Text(milli) + "m";

    /// <summary>An amount of <paramref name="kind"/> in the model's unit as a quantity.</summary>
    public static string Format(ResourceKind kind, long value) => kind switch
    {
        ResourceKind.Cpu => FormatCpu(value),
        ResourceKind.Memory => FormatMemory(value),
        ResourceKind.Gpu => FormatGpu(value),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown resource kind; use Cpu, Memory or Gpu"),
    };

    /// <summary>A queue's usage in one flavor for its status: gpu, cpu and memory, each with total and borrowed part.</summary>
    public static FlavorUsage Usage(string flavor, Resources total, Resources borrowed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flavor);
        return new FlavorUsage
        {
            Name = flavor,
            Resources =
            [
                new ResourceUsage { Name = "gpu", Total = FormatGpu(total.GpuMilli), Borrowed = FormatGpu(borrowed.GpuMilli) },
                new ResourceUsage { Name = "cpu", Total = FormatCpu(total.CpuMilli), Borrowed = FormatCpu(borrowed.CpuMilli) },
                new ResourceUsage { Name = "memory", Total = FormatMemory(total.MemoryMiB), Borrowed = FormatMemory(borrowed.MemoryMiB) },
            ],
        };
    }

    private static bool TryParse(string? text, ResourceKind kind, bool roundUp, out long value)
    {
        value = 0;
        return ParseQuantity(text) is { } quantity && TryConvert(quantity, kind, roundUp, out value);
    }

    private static decimal Factor(ResourceKind kind) => kind switch
    {
        ResourceKind.Cpu => 1000m,
        ResourceKind.Gpu => 1000m,
        ResourceKind.Memory => 1m / BytesPerMiB,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown resource kind; use Cpu, Memory or Gpu"),
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
