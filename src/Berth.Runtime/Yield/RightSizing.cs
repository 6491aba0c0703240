using System.Globalization;
using Berth.Model.Gpus;

namespace Berth.Runtime.Yield;

/// <summary>
/// Right-sizing from GPU telemetry, in one pure place for the simulator, the server and the operator: from a job's
/// busy-GPU samples over its run, the whole GPUs (or the MIG slice) that would have covered its 95th percentile.
/// Compute only: a job may need its GPUs' memory even when they sit idle, so this is advice, not an action.
/// </summary>
public static class RightSizing
{
    /// <summary>The percentile the advice covers.</summary>
    public const double Percentile = 0.95;

    /// <summary>
    /// Advice for a job that asked <paramref name="askedGpus"/> GPUs of <paramref name="gpuModel"/> and was busy
    /// <paramref name="busyGpus"/> in its samples; null when there is nothing to judge (no GPUs, no samples, or a
    /// sample that is not a number from 0 to the GPUs asked).
    /// </summary>
    public static RightSize? Recommend(int askedGpus, IReadOnlyList<double> busyGpus, string? gpuModel)
    {
        ArgumentNullException.ThrowIfNull(busyGpus);
        if (askedGpus <= 0 || busyGpus.Count == 0 || busyGpus.Any(b => !(b >= 0 && b <= askedGpus + 1e-9)))
        {
            return null;
        }

        var sorted = busyGpus.Order().ToArray();
        var p95 = sorted[Math.Max(0, (int)Math.Ceiling(Percentile * sorted.Length) - 1)]; // nearest rank
        var peak = sorted[^1];
        var gpus = Math.Clamp((int)Math.Ceiling(p95 - 1e-9), 1, askedGpus);
        var mig = askedGpus >= 1 && p95 < 1 && gpuModel is not null && MigGeometries.TryGet(gpuModel, out var geometry)
            ? geometry.Profiles.Where(p => !p.MediaExtensions && (double)p.ComputeSlices / geometry.ComputeSlices >= p95 && p.ComputeSlices < geometry.ComputeSlices)
                .OrderBy(p => p.ComputeSlices).ThenBy(p => p.MemoryMiB).Select(p => p.Name).FirstOrDefault()
            : null;
        var used = string.Create(CultureInfo.InvariantCulture, $"asked {Gpus(askedGpus)}, used at most {p95:0.##} at p95 (peak {peak:0.##}, {sorted.Length} samples)");
        var advice = mig is not null ? (gpus < askedGpus ? $"{Gpus(gpus)} or a {mig} MIG slice would do" : $"a {mig} MIG slice would do")
            : gpus < askedGpus ? $"{Gpus(gpus)} would do"
            : "right-sized";
        return new RightSize(askedGpus, p95, peak, sorted.Length, gpus, mig, used + ": " + advice) { OversizedJobs = gpus < askedGpus || mig is not null ? 1 : 0 };
    }

    /// <summary>A queue's advice: its jobs' asks, p95s, peaks and recommendations added up; null when none has advice.</summary>
    public static RightSize? ForQueue(string queue, IEnumerable<RightSize> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var list = jobs.ToList();
        if (list.Count == 0)
        {
            return null;
        }

        var asked = list.Sum(j => j.AskedGpus);
        var recommended = list.Sum(j => j.RecommendedGpus);
        var oversized = list.Sum(j => j.OversizedJobs);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"queue {queue}: {list.Sum(j => j.Jobs)} jobs asked {Gpus(asked)}, used at most {list.Sum(j => j.P95BusyGpus):0.##} at p95; {Gpus(recommended)} would do ({oversized} jobs could ask for less)");
        return new RightSize(asked, list.Sum(j => j.P95BusyGpus), list.Sum(j => j.PeakBusyGpus), list.Sum(j => j.Samples), recommended, null, text) { Jobs = list.Sum(j => j.Jobs), OversizedJobs = oversized };
    }

    private static string Gpus(int n) => n == 1 ? "1 GPU" : string.Create(CultureInfo.InvariantCulture, $"{n} GPUs");
}
