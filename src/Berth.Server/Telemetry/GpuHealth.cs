using System.Globalization;

namespace Berth.Server.Telemetry;

/// <summary>
/// The health of this machine's GPUs from nvidia-smi's uncorrectable (double-bit) ECC counter. A GPU whose counter
/// rose since the last reading (or reads above 0 the first time: errors since the driver loaded) is unhealthy: its
/// capacity is withheld and what runs on it is requeued by the decision loop. It is checked again at every reading
/// and recovers after <paramref name="recoverAfter"/> readings in a row without a new error. A reading that lacks a
/// GPU, or lacks its counter (ECC off: <c>[N/A]</c>), changes nothing for it: missing data never marks a GPU.
/// Only the decision loop calls it (not thread-safe).
/// </summary>
public sealed class GpuHealth(int recoverAfter)
{
    private readonly Dictionary<string, (long Errors, string? Why, int Clean)> _gpus = new(StringComparer.Ordinal);

    /// <summary>Unhealthy GPUs by UUID, with why.</summary>
    public IReadOnlyDictionary<string, string> Unhealthy =>
        _gpus.Where(g => g.Value.Why is not null).ToDictionary(g => g.Key, g => g.Value.Why!, StringComparer.Ordinal);

    /// <summary>Takes a fresh reading; returns the GPUs that turned unhealthy or recovered, by UUID.</summary>
    public IReadOnlyList<GpuHealthChange> Observe(GpuSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var changes = new List<GpuHealthChange>();
        foreach (var gpu in sample.Gpus.OrderBy(g => g.Uuid, StringComparer.Ordinal))
        {
            if (gpu.UncorrectedEccErrors is not { } errors)
            {
                continue;
            }

            var (last, why, clean) = _gpus.GetValueOrDefault(gpu.Uuid);
            if (errors > last)
            {
                why = string.Create(CultureInfo.InvariantCulture, $"{errors - last} new uncorrectable ECC error(s) ({errors} since the driver loaded)");
                changes.Add(new GpuHealthChange(gpu.Uuid, false, why));
                _gpus[gpu.Uuid] = (errors, why, 0);
            }
            else if (why is not null && clean + 1 >= recoverAfter)
            {
                changes.Add(new GpuHealthChange(gpu.Uuid, true, string.Create(CultureInfo.InvariantCulture, $"no new uncorrectable ECC error in {recoverAfter} readings; back in service")));
                _gpus[gpu.Uuid] = (errors, null, 0);
            }
            else
            {
                _gpus[gpu.Uuid] = (errors, why, why is null ? 0 : clean + 1);
            }
        }

        return changes;
    }
}
