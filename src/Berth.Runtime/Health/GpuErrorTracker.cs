using System.Globalization;

namespace Berth.Runtime.Health;

/// <summary>
/// GPU health from error signals read again and again (nvidia-smi's ECC counter, DCGM's XID, ECC and NVLink fields):
/// a GPU with a new error is unhealthy, so a driver withholds its capacity and the decision cycle requeues what runs
/// there; every later reading checks it again, and after <paramref name="recoverAfter"/> readings in a row with no
/// new error it is back in service. A GPU absent from a reading, or a signal absent for it, changes nothing: missing
/// or stale telemetry never marks a GPU nor counts as clean. The first reading of a counter compares with 0 (errors
/// since the driver loaded count); a code compares with 0 as well. Pure and not thread-safe: one caller, one reading
/// at a time.
/// </summary>
public sealed class GpuErrorTracker
{
    private readonly int _recoverAfter;
    private readonly Dictionary<(string Gpu, string Name), long> _last = [];
    private readonly Dictionary<string, (string Why, int Clean)> _unhealthy = new(StringComparer.Ordinal);

    public GpuErrorTracker(int recoverAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recoverAfter, 1);
        _recoverAfter = recoverAfter;
    }

    /// <summary>Unhealthy GPUs with why, ordered by GPU.</summary>
    public IReadOnlyList<(string Gpu, string Why)> Unhealthy => _unhealthy.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => (u.Key, u.Value.Why)).ToArray();

    public bool IsUnhealthy(string gpu) => _unhealthy.ContainsKey(gpu);

    /// <summary>Takes one reading; returns the GPUs that turned unhealthy or recovered, ordered by GPU.</summary>
    public IReadOnlyList<GpuHealthChange> Observe(IEnumerable<GpuErrorSignal> reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var changes = new List<GpuHealthChange>();
        foreach (var gpu in reading.GroupBy(s => s.Gpu, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var errors = new List<string>();
            foreach (var signal in gpu.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                var last = _last.GetValueOrDefault((gpu.Key, signal.Name));
                _last[(gpu.Key, signal.Name)] = signal.Value;
                var error = signal.Kind switch
                {
                    GpuSignalKind.Counter when signal.Value > last => string.Create(CultureInfo.InvariantCulture, $"{signal.Name} rose by {signal.Value - last} to {signal.Value}"),
                    GpuSignalKind.Code when signal.Value != 0 && signal.Value != last => string.Create(CultureInfo.InvariantCulture, $"{signal.Name} {signal.Value}"),
                    GpuSignalKind.Flag when signal.Value != 0 => string.Create(CultureInfo.InvariantCulture, $"{signal.Name} is {signal.Value}"),
                    _ => null,
                };
                if (error is not null)
                {
                    errors.Add(error);
                }
            }

            if (errors.Count > 0)
            {
                var why = string.Join("; ", errors);
                if (!_unhealthy.ContainsKey(gpu.Key))
                {
                    changes.Add(new GpuHealthChange(gpu.Key, false, why));
                }

                _unhealthy[gpu.Key] = (why, 0);
            }
            else if (_unhealthy.TryGetValue(gpu.Key, out var mark))
            {
                if (mark.Clean + 1 >= _recoverAfter)
                {
                    _unhealthy.Remove(gpu.Key);
                    changes.Add(new GpuHealthChange(gpu.Key, true, string.Create(CultureInfo.InvariantCulture, $"no new error in {_recoverAfter} readings; back in service")));
                }
                else
                {
                    _unhealthy[gpu.Key] = mark with { Clean = mark.Clean + 1 };
                }
            }
        }

        return changes;
    }
}
