using Berth.Web;

namespace Berth.Kubernetes.Views;

/// <summary>
/// What changed for each workload between two decisions, as events for the dashboard's stream: <c>Submitted</c> (new,
/// waiting), <c>Admitted</c> (now running; also a workload first seen running), <c>Requeued</c> (running before,
/// waiting now), <c>Pending</c> (a new reason), <c>Finished</c> (gone from the cluster's queues: Succeeded or Failed
/// as its Job or pods say, else Cancelled, i.e. deleted). Those that left first (what they freed is what the others got),
/// then the rest, each in id order, so a replay gives the same stream. The first picture reports nothing.
/// </summary>
internal static class JobChanges
{
    public static IEnumerable<ChangeView> Between(ClusterPicture? before, ClusterPicture after)
    {
        var at = after.Decision.Snapshot.Now;
        if (before is null)
        {
            yield break; // the first picture the views see: nothing has changed yet for anyone watching
        }

        var old = before.ById;
        foreach (var gone in old.Values.Where(j => !after.ById.ContainsKey(j.View.Id)).OrderBy(j => j.View.Id, StringComparer.Ordinal))
        {
            var state = Ended(gone, after.Decision.Snapshot);
            yield return new ChangeView(gone.View.Id, gone.View.Queue, state, at, "Finished", state == JobState.Cancelled ? "no longer on the cluster (deleted)" : $"{state.ToString().ToLowerInvariant()}");
        }

        foreach (var job in after.Jobs.OrderBy(j => j.View.Id, StringComparer.Ordinal))
        {
            var now = job.View;
            if (!old.TryGetValue(now.Id, out var was))
            {
                yield return now.State == JobState.Running
                    ? new ChangeView(now.Id, now.Queue, now.State, at, "Admitted", $"running in flavor {now.Flavor}")
                    : new ChangeView(now.Id, now.Queue, now.State, at, "Submitted", Waiting(now));
            }
            else if (was.View.State != now.State)
            {
                yield return now.State == JobState.Running
                    ? new ChangeView(now.Id, now.Queue, now.State, at, "Admitted", $"admitted in flavor {now.Flavor}")
                    : new ChangeView(now.Id, now.Queue, now.State, at, "Requeued", Waiting(now));
            }
            else if (now.Pending is { } p && (was.View.Pending?.Code != p.Code || was.View.Pending?.Message != p.Message))
            {
                yield return new ChangeView(now.Id, now.Queue, now.State, at, "Pending", Waiting(now));
            }
        }

    }

    private static string Waiting(JobView job) => job.Pending is { } p
        ? job.QueuePosition is { } position ? $"{p.Code}: {p.Message} (position {position} in queue {job.Queue})" : $"{p.Code}: {p.Message}"
        : "waiting";

    /// <summary>How a workload that left the queues ended: its Job's Complete or Failed condition, else its pods' phases, else deleted.</summary>
    private static JobState Ended(JobEntry job, Controller.ClusterSnapshot snapshot)
    {
        var o = job.Outcome;
        if (o.Kind == "Job")
        {
            var conditions = snapshot.Jobs.FirstOrDefault(j => j.Metadata?.NamespaceProperty == o.Namespace && j.Metadata?.Name == o.Name)?.Status?.Conditions ?? [];
            return conditions.Any(c => c.Type == "Complete" && c.Status == "True") ? JobState.Succeeded
                : conditions.Any(c => c.Type == "Failed" && c.Status == "True") ? JobState.Failed
                : JobState.Cancelled;
        }

        var keys = o.PodKeys.ToHashSet(StringComparer.Ordinal);
        var phases = snapshot.Pods.Where(p => keys.Contains(p.Metadata?.NamespaceProperty + "/" + p.Metadata?.Name)).Select(p => p.Status?.Phase).ToArray();
        return phases.Length == 0 ? JobState.Cancelled
            : phases.Contains("Failed") ? JobState.Failed
            : phases.All(p => p == "Succeeded") ? JobState.Succeeded
            : JobState.Cancelled;
    }
}
