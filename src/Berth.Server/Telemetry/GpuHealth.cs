using Berth.Runtime.Health;

namespace Berth.Server.Telemetry;

/// <summary>
/// The health of this machine's GPUs from nvidia-smi: its uncorrectable (double-bit) ECC counter since the driver
/// loaded, the one GPU error signal nvidia-smi's <c>--query-gpu</c> gives (XIDs are in the kernel log and NVLink
/// errors behind <c>nvidia-smi nvlink -e</c>, neither read here). The rules are <see cref="GpuErrorTracker"/>'s:
/// a rise marks the GPU, <paramref name="recoverAfter"/> clean readings bring it back, ECC off (<c>[N/A]</c>) or a
/// GPU missing from the reading changes nothing.
/// </summary>
public sealed class GpuHealth(int recoverAfter)
{
    /// <summary>The signal's name in messages: nvidia-smi's field.</summary>
    public const string EccSignal = "ecc.errors.uncorrected.volatile.total";

    private readonly GpuErrorTracker _tracker = new(recoverAfter);

    /// <summary>Unhealthy GPUs by UUID, with why.</summary>
    public IReadOnlyDictionary<string, string> Unhealthy => _tracker.Unhealthy.ToDictionary(u => u.Gpu, u => u.Why, StringComparer.Ordinal);

    /// <summary>Takes a fresh reading; returns the GPUs that turned unhealthy or recovered, by UUID.</summary>
    public IReadOnlyList<GpuHealthChange> Observe(GpuSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return _tracker.Observe(sample.Gpus.Where(g => g.UncorrectedEccErrors is not null).Select(g => new GpuErrorSignal(g.Uuid, EccSignal, GpuSignalKind.Counter, g.UncorrectedEccErrors!.Value)));
    }
}
