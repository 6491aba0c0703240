namespace Berth.Server.Telemetry;

/// <summary>
/// How one running job used the GPUs it holds in one <see cref="GpuSample"/>.
/// </summary>
/// <param name="Activity">Mean busy share over its GPUs, 0 to 1: what idle policies compare with their threshold.</param>
/// <param name="BusyGpus">The same as whole GPUs (8 GPUs at 25% are 2 busy GPUs): what right-sizing reads.</param>
/// <param name="MemoryMiB">GPU memory its processes hold.</param>
public sealed record JobGpuUse(double Activity, double BusyGpus, long MemoryMiB)
{
    /// <summary>
    /// The use of a job holding <paramref name="gpus"/> (UUIDs) with processes <paramref name="pids"/>; null when the
    /// sample does not say (a GPU missing from it, or its utilization not available): unknown is never idle.
    /// A GPU where nvidia-smi lists processes, none of them the job's, counts 0 for it (the job does not use it).
    /// A GPU where it lists the job's, or no process at all (processes in another PID namespace are not listed),
    /// counts the whole GPU's utilization: on a GPU shared by several jobs this is an upper bound, so shared work
    /// never looks idler than it is.
    /// </summary>
    public static JobGpuUse? Of(IReadOnlyList<string> gpus, IReadOnlySet<int> pids, GpuSample sample)
    {
        ArgumentNullException.ThrowIfNull(gpus);
        ArgumentNullException.ThrowIfNull(pids);
        ArgumentNullException.ThrowIfNull(sample);
        if (gpus.Count == 0)
        {
            return null;
        }

        var busy = 0.0;
        long memory = 0;
        foreach (var uuid in gpus)
        {
            var gpu = sample.Gpus.FirstOrDefault(g => g.Uuid == uuid);
            if (gpu?.Utilization is not { } utilization)
            {
                return null;
            }

            var listed = false;
            var mine = false;
            foreach (var app in sample.Apps.Where(a => a.GpuUuid == uuid))
            {
                listed = true;
                if (pids.Contains(app.Pid))
                {
                    mine = true;
                    memory += app.UsedMemoryMiB ?? 0;
                }
            }

            busy += mine || !listed ? utilization : 0;
        }

        return new JobGpuUse(busy / gpus.Count, busy, memory);
    }
}
