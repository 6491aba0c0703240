using Berth.Server.Executors;
using Berth.Server.Jobs;

namespace Berth.Server.Telemetry;

/// <summary>
/// How busy one GPU a job holds is, in one place for the per-GPU gauge, the dashboard's grid and <c>berth describe</c>:
/// on the local machine, nvidia-smi's utilization of that GPU (from a reading that is not stale); on simulated nodes,
/// the job's stated <c>gpuActivity</c> (the simulated telemetry); otherwise null (unknown, never idle).
/// </summary>
public static class GpuActivityOf
{
    /// <summary>The activity of GPU <paramref name="gpu"/> of <paramref name="node"/> as <paramref name="job"/> sees it; null: unknown.</summary>
    public static double? Job(JobRecord job, string node, int gpu, LocalGpuTelemetry? local)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(node);
        if (node == LocalMachine.NodeName)
        {
            return local?.ActivityByGpu.TryGetValue(gpu, out var measured) == true ? measured : null;
        }

        return job.Workload.GpuActivity;
    }

    /// <summary>
    /// The activity of a whole GPU held by <paramref name="holders"/> (job and share): measured on the local machine;
    /// on a simulated node the shares weighted by their jobs' stated activity (null when none is stated).
    /// </summary>
    public static double? Gpu(string node, int gpu, IReadOnlyList<(JobRecord Job, double Share)> holders, LocalGpuTelemetry? local)
    {
        ArgumentNullException.ThrowIfNull(holders);
        if (node == LocalMachine.NodeName)
        {
            return local?.ActivityByGpu.TryGetValue(gpu, out var measured) == true ? measured : null;
        }

        var known = holders.Where(h => h.Job.Workload.GpuActivity is not null).ToArray();
        return known.Length == 0 ? null : Math.Min(1, known.Sum(h => h.Share * h.Job.Workload.GpuActivity!.Value));
    }
}
