namespace Berth.Model.Queueing;

/// <summary>An amount of each quota resource: CPU milli-cores, memory MiB, GPU milli-GPU.</summary>
public readonly record struct Resources(long CpuMilli, long MemoryMiB, long GpuMilli)
{
    public static readonly Resources Zero;

    /// <summary>The number of <see cref="ResourceKind"/> values, for arrays indexed by kind.</summary>
    public const int KindCount = 3;

    public long this[ResourceKind kind] => kind switch
    {
        ResourceKind.Cpu => CpuMilli,
        ResourceKind.Memory => MemoryMiB,
        ResourceKind.Gpu => GpuMilli,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown resource"),
    };

    /// <summary>
    /// MIG instances, time-sliced replicas and GPU memory asked for, each its own quota resource (<see cref="DeviceAmounts"/>);
    /// null when none. Carried through every sum so that a queue's usage of them is kept where its CPU, memory and GPU are.
    /// </summary>
    public DeviceAmounts? Devices { get; init; }

    public bool IsZero => CpuMilli == 0 && MemoryMiB == 0 && GpuMilli == 0 && (Devices?.IsZero ?? true);

    public static Resources operator +(Resources a, Resources b) =>
        new(a.CpuMilli + b.CpuMilli, a.MemoryMiB + b.MemoryMiB, a.GpuMilli + b.GpuMilli) { Devices = DeviceAmounts.Combine(a.Devices, b.Devices, 1) };

    public static Resources operator -(Resources a, Resources b) =>
        new(a.CpuMilli - b.CpuMilli, a.MemoryMiB - b.MemoryMiB, a.GpuMilli - b.GpuMilli) { Devices = DeviceAmounts.Combine(a.Devices, b.Devices, -1) };

    public static Resources operator *(Resources a, long factor) =>
        new(a.CpuMilli * factor, a.MemoryMiB * factor, a.GpuMilli * factor) { Devices = a.Devices?.Times(factor) };

    public Resources Add(Resources other) => this + other;

    public Resources Subtract(Resources other) => this - other;

    public Resources Multiply(long factor) => this * factor;

    /// <summary>What one pod asks for.</summary>
    public static Resources Of(Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return new(pod.CpuMilli, pod.MemoryMiB, pod.GpuDemandMilli) { Devices = DeviceAmounts.Of(pod) };
    }

    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    public override string ToString() => Format(ResourceKind.Gpu, GpuMilli) + ", " + Format(ResourceKind.Cpu, CpuMilli) + ", " + Format(ResourceKind.Memory, MemoryMiB);

    /// <summary>An amount in the unit users read: GPUs, cores, GiB; the same words whatever the machine's culture.</summary>
    public static string Format(ResourceKind kind, long amount) => kind switch
    {
        ResourceKind.Gpu => amount % 1000 == 0 ? string.Create(Inv, $"{amount / 1000} GPU") : string.Create(Inv, $"{amount / 1000.0:0.###} GPU"),
        ResourceKind.Cpu => amount % 1000 == 0 ? string.Create(Inv, $"{amount / 1000} cpu") : string.Create(Inv, $"{amount / 1000.0:0.###} cpu"),
        ResourceKind.Memory => amount % 1024 == 0 ? string.Create(Inv, $"{amount / 1024} GiB memory") : string.Create(Inv, $"{amount} MiB memory"),
        _ => amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
