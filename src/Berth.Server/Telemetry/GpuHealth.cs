using System.Globalization;
using Berth.Runtime.Health;

namespace Berth.Server.Telemetry;

/// <summary>
/// The health of this machine's GPUs from nvidia-smi and the kernel log: the uncorrectable (double-bit) ECC counter
/// since the driver loaded, each NVLink link's replay, recovery and CRC error counters (<c>nvidia-smi nvlink -e</c>; a
/// rise marks, as for ECC), and the XIDs the driver logged (a hardware XID, <see cref="KernelLogXids.Hardware"/>, is a
/// code signal for the GPU whose PCI bus id it names; a reading with none gives 0, so the next one counts again).
/// The rules are <see cref="GpuErrorTracker"/>'s: a rise or a new code marks the GPU, <paramref name="recoverAfter"/>
/// clean readings bring it back, ECC off (<c>[N/A]</c>), an unread kernel log or a GPU missing from the reading
/// changes nothing.
/// </summary>
public sealed class GpuHealth(int recoverAfter)
{
    /// <summary>The signal's name in messages: nvidia-smi's field.</summary>
    public const string EccSignal = "ecc.errors.uncorrected.volatile.total";

    /// <summary>The XID signal's name in messages.</summary>
    public const string XidSignal = "xid";

    private readonly GpuErrorTracker _tracker = new(recoverAfter);

    /// <summary>Unhealthy GPUs by UUID, with why.</summary>
    public IReadOnlyDictionary<string, string> Unhealthy => _tracker.Unhealthy.ToDictionary(u => u.Gpu, u => u.Why, StringComparer.Ordinal);

    /// <summary>
    /// Takes a fresh reading with the XIDs logged since the last one (null: the kernel log was not read); returns the
    /// GPUs that turned unhealthy or recovered, by UUID. XIDs that are not hardware ones go to <paramref name="reported"/>.
    /// </summary>
    public IReadOnlyList<GpuHealthChange> Observe(GpuSample sample, IReadOnlyList<KernelXid>? xids = null, List<string>? reported = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var signals = sample.Gpus.Where(g => g.UncorrectedEccErrors is not null).Select(g => new GpuErrorSignal(g.Uuid, EccSignal, GpuSignalKind.Counter, g.UncorrectedEccErrors!.Value)).ToList();
        signals.AddRange(sample.Nvlink?.Select(c => new GpuErrorSignal(c.Uuid, string.Create(CultureInfo.InvariantCulture, $"nvlink link {c.Link} {c.Counter} errors"), GpuSignalKind.Counter, c.Value)) ?? []);
        if (xids is not null)
        {
            var byBus = sample.Gpus.Where(g => g.PciBusId is not null).ToDictionary(g => KernelLogXids.Bus(g.PciBusId!), g => g.Uuid, StringComparer.Ordinal);
            var codes = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var xid in xids)
            {
                if (!KernelLogXids.Hardware.Contains(xid.Code) || !byBus.TryGetValue(xid.Bus, out var uuid))
                {
                    reported?.Add($"XID {xid.Code} on {xid.Bus} not counted against a GPU's health: {xid.Line}");
                    continue;
                }

                codes[uuid] = xid.Code;
            }

            signals.AddRange(byBus.Values.Select(uuid => new GpuErrorSignal(uuid, XidSignal, GpuSignalKind.Code, codes.GetValueOrDefault(uuid))));
        }

        return _tracker.Observe(signals);
    }
}
