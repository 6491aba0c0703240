using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Makes the calls a <see cref="DecisionPlan"/> asks for, in the order that keeps the cluster consistent
/// if Berth stops half-way: first free capacity (suspend, evict), then the admission records on Jobs and
/// pod groups, then the bindings, then statuses and events. Each write is checked against
/// <paramref name="stillLeader"/> so a replica that lost its lease stops writing at once.
/// </summary>
public sealed class PlanExecutor(ClusterWriter writer, ILogger logger)
{
    /// <summary>Annotation on an elastic Job admitted with fewer pods than it asked for: its own <c>spec.parallelism</c>, put back when it is suspended.</summary>
    public const string OriginalParallelismAnnotation = "berth.dev/original-parallelism";

    /// <summary>How many bindings are in flight at once.</summary>
    public const int BindingParallelism = 16;

    /// <summary>Executes the plan; returns the keys (namespace/name) of the pods it bound.</summary>
    public async Task<ExecutionResult> ExecuteAsync(DecisionPlan plan, Func<bool> stillLeader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stillLeader);
        var result = new ExecutionResult();
        foreach (var s in plan.Suspensions)
        {
            if (!stillLeader())
            {
                return result;
            }

            var written = await writer.UpdateJobAsync(s.Namespace, s.Name, job =>
            {
                if (job.Spec.Suspend == true && AdmissionRecord.Parse(job.Metadata.Annotations) is null)
                {
                    return false;
                }

                job.Spec.Suspend = true;
                job.Metadata.Annotations?.Remove(AdmissionRecord.AnnotationName);
                if (job.Metadata.Annotations?.Remove(OriginalParallelismAnnotation, out var original) == true
                    && int.TryParse(original, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parallelism))
                {
                    job.Spec.Parallelism = parallelism; // an elastic Job admitted with fewer pods asks for all again
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                result.JobsWritten.Add(written);
            }
        }

        foreach (var e in plan.Evictions)
        {
            if (!stillLeader())
            {
                return result;
            }

            if (!await writer.EvictAsync(e.Namespace, e.Pod, cancellationToken).ConfigureAwait(false))
            {
                result.EvictionsRefused++;
            }
        }

        foreach (var a in plan.JobAdmissions)
        {
            if (!stillLeader())
            {
                return result;
            }

            var written = await writer.UpdateJobAsync(a.Namespace, a.Name, job =>
            {
                if (job.Spec.Suspend != true)
                {
                    return false; // someone else unsuspended it: leave it, the next cycle sees the truth
                }

                job.Metadata.Annotations ??= new Dictionary<string, string>();
                job.Metadata.Annotations[AdmissionRecord.AnnotationName] = a.Record.ToJson();
                job.Metadata.Annotations.Remove(DecisionPlanner.PendingReasonAnnotation);
                var pod = job.Spec.Template.Spec;
                pod.NodeSelector ??= new Dictionary<string, string>();
                foreach (var (key, value) in a.NodeSelector)
                {
                    pod.NodeSelector[key] = value;
                }

                if (a.Tolerations.Count > 0)
                {
                    var tolerations = pod.Tolerations?.ToList() ?? [];
                    tolerations.AddRange(a.Tolerations.Where(t => !tolerations.Any(x => x.Key == t.Key && x.Effect == t.Effect && x.Value == t.Value)));
                    pod.Tolerations = tolerations;
                }

                var admitted = a.Record.Pods.Count;
                if (admitted > 0 && admitted < (job.Spec.Parallelism ?? 1))
                {
                    // Admitted with fewer pods than it asks for (berth.dev/min-parallelism): run that many, keep what it asked.
                    job.Metadata.Annotations[OriginalParallelismAnnotation] = (job.Spec.Parallelism ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    job.Spec.Parallelism = admitted;
                }

                job.Spec.Suspend = false;
                return true;
            }, cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                result.JobsWritten.Add(written);
            }
        }

        foreach (var a in plan.Annotations)
        {
            if (!stillLeader())
            {
                return result;
            }

            if (a.Kind == "Job")
            {
                var written = await writer.UpdateJobAsync(a.Namespace!, a.Name, job =>
                {
                    job.Metadata.Annotations ??= new Dictionary<string, string>();
                    var changed = false;
                    foreach (var (key, value) in a.Annotations)
                    {
                        if (value is null ? job.Metadata.Annotations.Remove(key) : !(job.Metadata.Annotations.TryGetValue(key, out var old) && old == value))
                        {
                            if (value is not null)
                            {
                                job.Metadata.Annotations[key] = value;
                            }

                            changed = true;
                        }
                    }

                    return changed;
                }, cancellationToken).ConfigureAwait(false);
                if (written is not null)
                {
                    result.JobsWritten.Add(written);
                }
            }
            else if (await writer.PatchCustomAnnotationsAsync(Api.PodGroup.KubePluralName, a.Namespace, a.Name, a.Annotations, cancellationToken).ConfigureAwait(false) is { } version)
            {
                result.GroupsWritten.Add((a.Namespace + "/" + a.Name, version));
            }
        }

        // Bindings are independent calls (each pod's place was decided above): sent several at a time, as
        // kube-scheduler binds asynchronously, so a real API server's round trips do not add up pod by pod.
        var stopped = false;
        var gate = new object();
        await Parallel.ForEachAsync(plan.Bindings, new ParallelOptions { MaxDegreeOfParallelism = BindingParallelism, CancellationToken = cancellationToken }, async (b, token) =>
        {
            if (Volatile.Read(ref stopped) || !stillLeader())
            {
                Volatile.Write(ref stopped, true);
                return;
            }

            try
            {
                if (await writer.BindAsync(b.Namespace, b.Pod, b.Node, b.Annotations, token).ConfigureAwait(false))
                {
                    lock (gate)
                    {
                        result.Bound.Add(b.Namespace + "/" + b.Pod);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One pod's binding failing (a 500, a timeout) does not stop the others: the admission record keeps
                // its planned place, and the next decision binds it there.
                lock (gate)
                {
                    result.BindFailures++;
                }

                logger.LogWarning("binding {Namespace}/{Pod} to {Node} failed: {Error}; retried on the next decision", b.Namespace, b.Pod, b.Node, e.Message);
            }
        }).ConfigureAwait(false);
        if (stopped)
        {
            return result;
        }

        // Conditions, statuses and events are independent writes: several at a time, the last one planned for an
        // object winning (a plan may say two things of one object; only what it says last is meant).
        var unschedulable = plan.Unschedulable.GroupBy(u => (u.Namespace, u.Pod)).Select(g => g.Last()).ToList();
        if (!await ForEachAsync(unschedulable, stillLeader, (u, token) => writer.MarkUnschedulableAsync(u.Namespace, u.Pod, u.Reason, u.Message, token), cancellationToken).ConfigureAwait(false))
        {
            return result;
        }

        var statuses = plan.ObjectStatuses.GroupBy(o => (o.Plural, o.Namespace, o.Name)).Select(g => g.Last()).ToList();
        if (!await ForEachAsync(statuses, stillLeader, (o, token) => writer.PatchCustomStatusAsync(o.Plural, o.Namespace, o.Name, o.Status, token), cancellationToken).ConfigureAwait(false))
        {
            return result;
        }

        await ForEachAsync(plan.Events, () => true, (e, token) => writer.RecordEventAsync(e.About, e.Type, e.Reason, e.Message, token), cancellationToken).ConfigureAwait(false);

        foreach (var warning in plan.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        return result;
    }

    /// <summary>Runs <paramref name="write"/> for each item, <see cref="BindingParallelism"/> at a time, while <paramref name="stillLeader"/>; false when it stopped because leadership was lost.</summary>
    private static async Task<bool> ForEachAsync<T>(IReadOnlyList<T> items, Func<bool> stillLeader, Func<T, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var stopped = 0;
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = BindingParallelism, CancellationToken = cancellationToken }, async (item, token) =>
        {
            if (Volatile.Read(ref stopped) == 1 || !stillLeader())
            {
                Volatile.Write(ref stopped, 1);
                return;
            }

            await write(item, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return stopped == 0;
    }
}

/// <summary>What an execution did: pods bound, Jobs written (with their new resource versions), evictions a disruption budget refused.</summary>
public sealed class ExecutionResult
{
    public List<string> Bound { get; } = [];

    public List<V1Job> JobsWritten { get; } = [];

    /// <summary>PodGroups whose admission record was written: namespace/name and the resource version the write made.</summary>
    public List<(string Key, string ResourceVersion)> GroupsWritten { get; } = [];

    public int EvictionsRefused { get; set; }

    /// <summary>Bindings that failed for another reason than the pod being gone or bound (retried on the next decision).</summary>
    public int BindFailures { get; set; }
}
