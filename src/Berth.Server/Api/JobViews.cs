using Berth.Model;
using Berth.Runtime.Lifecycle;
using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.Web;

namespace Berth.Server.Api;

/// <summary>Jobs as the API shows them.</summary>
public static class JobViews
{
    /// <param name="gpus">The local GPUs' telemetry, for each placed GPU's activity (one job's view); null: only stated activity.</param>
    public static JobView Of(JobRecord job, PendingInfo? pending, DateTimeOffset now, IReadOnlyList<JobEvent>? events = null, Telemetry.LocalGpuTelemetry? gpus = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var waiting = job.State is JobState.Pending or JobState.Held;
        var waitedUntil = job.StartedAt ?? (waiting ? now : job.FinishedAt ?? now);
        double? gpuHours = job.StartedAt is { } started ? Math.Round(job.GpusRequested * Math.Max(0, ((job.FinishedAt ?? now) - started).TotalHours), 3) : null;
        return new JobView
        {
            Id = job.Id,
            Name = job.Spec.Name,
            Queue = job.Workload.Queue,
            PriorityClass = job.Spec.PriorityClass,
            User = job.Spec.User,
            State = job.State,
            Gpus = job.GpusRequested,
            Pods = job.Workload.PodCount,
            Duration = job.Spec.Duration,
            GpuActivity = job.Spec.GpuActivity,
            AllocatedGpuHours = gpuHours,
            UsedGpuHours = gpuHours is { } held && job.Spec.GpuActivity is { } activity ? Math.Round(held * activity, 3) : null,
            Created = job.Created,
            AdmittedAt = job.AdmittedAt,
            StartedAt = job.StartedAt,
            FinishedAt = job.FinishedAt,
            WaitedSeconds = Math.Max(0, Math.Round((waitedUntil - job.Created).TotalSeconds, 3)),
            Flavor = job.Memo?.Flavor,
            Message = job.Message,
            Placement = job.Bindings.Count == 0 ? null : job.Bindings.Select(b => new PlacementView(b.Pod, b.Node, Gpus.Indices(b.GpuMask), b.GpuMilli / (double)Limits.GpuMilliPerGpu)
            {
                GpuActivity = job.State == JobState.Running && Gpus.Indices(b.GpuMask).Select(g => Telemetry.GpuActivityOf.Job(job, b.Node, g, gpus)).ToArray() is var busy && busy.Any(a => a is not null)
                    ? busy.Select(a => a is { } x ? Math.Round(x, 3) : (double?)null).ToArray()
                    : null,
            }).ToArray(),
            Pending = waiting && pending is not null ? new PendingView(pending.Code, pending.Message, pending.Flavor) : null,
            QueuePosition = waiting ? pending?.Position : null,
            ExpectedStart = waiting ? pending?.ExpectedStart : null,
            PodSets = events is null ? null : job.Spec.PodSets?.Select(p => new PodSetView(p.Name, p.Count, p.MinCount, p.Gpus, p.GpuShare, p.Cpu, p.MemoryGiB)).ToArray(),
            Command = events is null ? null : job.Spec.Command,
            Events = events?.Select(e => new EventView(e.At, e.Kind, e.Message)).ToArray(),
        };
    }
}
