using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using Berth.Runtime.Ports;
using Berth.Server.Executors;
using Berth.Server.Jobs;
using Berth.Server.Store;

namespace Berth.Server.Loop;

/// <summary>
/// Renders a plan as store writes, all in one transaction: an admission makes a job Running with its memo, a
/// binding records where a pod is (a job whose pods are all bound starts on the executor), a requeue sends a
/// running job back to Pending (its GPUs freed, its submit time, hence its place, kept). Pending reasons go to
/// <see cref="Pending"/>, not the store: they are computed again every cycle.
/// A running job that had an Idle event, which this plan no longer finds idle while its activity is known, gets a
/// Busy event (and its message cleared), so whatever shows the Idle badge can take it away.
/// </summary>
public sealed class StorePlanWriter(ServerStore store, IExecutor executor, IReadOnlyDictionary<string, JobRecord> jobs, DateTimeOffset now, Func<JobRecord, double?>? activityOf = null) : IPlanWriter
{
    /// <summary>How the Idle event's message, kept as the job's message while it is idle, begins (Engine's <c>IdleGpus.Detail</c>).</summary>
    private const string IdleMessagePrefix = "GPU activity ";

    /// <summary>Why each job that is not running waits, from this plan.</summary>
    public Dictionary<string, PendingInfo> Pending { get; } = new(StringComparer.Ordinal);

    /// <summary>The updates the store applied.</summary>
    public IReadOnlyList<JobUpdate> Applied { get; private set; } = [];

    public Task WriteAsync(CyclePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var next = new Dictionary<string, (JobRecord Job, List<JobEvent> Events)>(StringComparer.Ordinal);
        var order = new List<string>();
        (JobRecord Job, List<JobEvent> Events)? Current(string id)
        {
            if (next.TryGetValue(id, out var entry))
            {
                return entry;
            }

            if (!jobs.TryGetValue(id, out var job))
            {
                return null;
            }

            order.Add(id);
            return next[id] = (job, []);
        }

        foreach (var step in plan.Steps)
        {
            switch (step)
            {
                case RequeueStep requeue when Current(requeue.Workload) is { Job.State: JobState.Running } entry:
                    next[requeue.Workload] = (entry.Job with { State = JobState.Pending, Memo = null, Bindings = [], AdmittedAt = null, StartedAt = null, Message = requeue.Message },
                        [.. entry.Events, new JobEvent(now, "Requeued", $"{requeue.Reason.Code()}: {requeue.Message}")]);
                    break;
                case AdmitStep admit when Current(admit.Workload) is { Job.State: JobState.Pending } entry:
                    next[admit.Workload] = (entry.Job with { State = JobState.Running, Memo = admit.Memo, Bindings = [], AdmittedAt = now, StartedAt = null, Message = null },
                        [.. entry.Events, new JobEvent(now, "Admitted", $"admitted in flavor {admit.Flavor.Name}; {admit.Memo.Pods.Count} pods placed")]);
                    break;
                case BindStep bind when Current(bind.Workload) is { Job.State: JobState.Running } entry && entry.Job.Bindings.All(b => b.Pod != bind.Pod):
                    {
                        var job = entry.Job with { Bindings = [.. entry.Job.Bindings, new PodBinding(bind.Pod, PodSetOf(entry.Job, bind.Pod), bind.Node, bind.GpuMask, bind.GpuMilli)] };
                        var events = entry.Events;
                        if (job.StartedAt is null && job.Memo is { } memo && job.Bindings.Count >= memo.Pods.Count)
                        {
                            job = job with { StartedAt = now };
                            events = [.. events, new JobEvent(now, "Started", $"all {job.Bindings.Count} pods bound ({string.Join(", ", job.Bindings.Select(b => b.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(4))}); running")];
                        }

                        next[bind.Workload] = (job, events);
                        break;
                    }

                case StopStep stop when Current(stop.Workload) is { Job.State: JobState.Running } entry:
                    next[stop.Workload] = (entry.Job with { State = JobState.Failed, Bindings = [], FinishedAt = now, Message = $"{stop.Code}: {stop.Message}" },
                        [.. entry.Events, new JobEvent(now, "Stopped", $"{stop.Code}: {stop.Message}")]);
                    break;
                case IdleStep idle when Current(idle.Workload) is { Job.State: JobState.Running } entry && entry.Job.Message != idle.Message:
                    next[idle.Workload] = (entry.Job with { Message = idle.Message }, [.. entry.Events, new JobEvent(now, "Idle", idle.Message)]);
                    break;
                case PendingStep pending:
                    Pending[pending.Workload] = new PendingInfo(pending.Code, pending.Message, pending.Flavor, pending.Position, pending.ExpectedStart);
                    break;
            }
        }

        var stillIdle = plan.Steps.OfType<IdleStep>().Select(s => s.Workload).ToHashSet(StringComparer.Ordinal);
        foreach (var job in jobs.Values.Where(j => j.State == JobState.Running && !stillIdle.Contains(j.Id) && j.Message?.StartsWith(IdleMessagePrefix, StringComparison.Ordinal) == true))
        {
            if (Current(job.Id) is { Job: { State: JobState.Running } current } entry && current.Message == job.Message && activityOf?.Invoke(current) is { } activity)
            {
                next[job.Id] = (current with { Message = null }, [.. entry.Events, new JobEvent(now, "Busy", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"GPU activity {activity:P0} again; no longer idle"))]);
            }
        }

        var updates = order.Select(id => (Id: id, Entry: next[id])).Where(x => !ReferenceEquals(x.Entry.Job, jobs[x.Id]))
            .Select(x => new JobUpdate(jobs[x.Id], x.Entry.Job, x.Entry.Events)).ToArray();
        Applied = updates.Length == 0 ? [] : store.Apply(updates);
        foreach (var update in Applied)
        {
            if (update.Expected.State == JobState.Running && update.Next.State != JobState.Running)
            {
                executor.Stop(update.Expected);
            }

            if (update.Expected.StartedAt is null && update.Next.StartedAt is not null)
            {
                executor.Start(update.Next);
            }
        }

        return Task.CompletedTask;
    }

    private static int PodSetOf(JobRecord job, string podKey)
    {
        var name = podKey[(podKey.IndexOf('/', StringComparison.Ordinal) + 1)..podKey.LastIndexOf('-')];
        for (var s = 0; s < job.Workload.PodSets.Count; s++)
        {
            if (job.Workload.PodSets[s].Name == name)
            {
                return s;
            }
        }

        return 0;
    }
}
