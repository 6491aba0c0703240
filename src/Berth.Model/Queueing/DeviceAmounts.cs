using Berth.Model.Gpus;

namespace Berth.Model.Queueing;

/// <summary>
/// Amounts of device resources other than whole GPUs, by Kubernetes resource name: MIG instances
/// (<c>nvidia.com/mig-1g.10gb</c>), time-sliced replicas (<c>nvidia.com/gpu.shared</c>) and GPU memory in MiB
/// (<c>berth.dev/gpu-memory</c>). Each name is its own quota resource, as Kueue treats every resource name: a MIG pod
/// is charged its instances, not a GPU fraction. Immutable, names sorted (ordinal), value equality.
/// </summary>
public sealed class DeviceAmounts : IEquatable<DeviceAmounts>
{
    private readonly string[] _names;
    private readonly long[] _amounts;

    private DeviceAmounts(string[] names, long[] amounts) => (_names, _amounts) = (names, amounts);

    /// <summary>The resource names, sorted.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The amount of <paramref name="name"/>; 0 when absent.</summary>
    public long this[string name] => Array.BinarySearch(_names, name, StringComparer.Ordinal) is var i and >= 0 ? _amounts[i] : 0;

    /// <summary>What one pod asks for in device resources; null when it asks for none (whole GPUs and shares are GPU quota).</summary>
    public static DeviceAmounts? Of(Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var pairs = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (pod.MigCount > 0)
        {
            pairs[GpuResourceNames.MigPrefix + pod.MigProfile] = pod.MigCount;
        }

        if (pod.SharedGpuReplicas > 0)
        {
            pairs[GpuResourceNames.SharedGpu] = pod.SharedGpuReplicas;
        }

        if (pod.GpuMemoryMiB > 0)
        {
            pairs[GpuResourceNames.GpuMemory] = pod.GpuMemoryMiB * Math.Max(1, pod.GpuCount);
        }

        return pairs.Count == 0 ? null : new DeviceAmounts([.. pairs.Keys], [.. pairs.Values]);
    }

    /// <summary><paramref name="a"/> plus <paramref name="sign"/> times <paramref name="b"/>; null when both are null.</summary>
    public static DeviceAmounts? Combine(DeviceAmounts? a, DeviceAmounts? b, long sign)
    {
        if (b is null)
        {
            return a;
        }

        var pairs = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; a is not null && i < a._names.Length; i++)
        {
            pairs[a._names[i]] = a._amounts[i];
        }

        for (var i = 0; i < b._names.Length; i++)
        {
            pairs[b._names[i]] = pairs.GetValueOrDefault(b._names[i]) + sign * b._amounts[i];
        }

        return new DeviceAmounts([.. pairs.Keys], [.. pairs.Values]);
    }

    /// <summary>Every amount times <paramref name="factor"/>.</summary>
    public DeviceAmounts Times(long factor) => new(_names, _amounts.Select(a => a * factor).ToArray());

    public bool IsZero => _amounts.All(a => a == 0);

    public bool Equals(DeviceAmounts? other) =>
        other is not null && _names.AsSpan().SequenceEqual(other._names) && _amounts.AsSpan().SequenceEqual(other._amounts);

    public override bool Equals(object? obj) => Equals(obj as DeviceAmounts);

    public override int GetHashCode() => _names.Length == 0 ? 0 : HashCode.Combine(_names[0], _amounts[0], _names.Length);

    public override string ToString() => string.Join(", ", _names.Select((n, i) => $"{n}: {_amounts[i]}"));
}
