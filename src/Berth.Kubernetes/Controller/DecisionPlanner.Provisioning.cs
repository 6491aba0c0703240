using Berth.Engine.Admission;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Quota held while the cluster autoscaler provisions (Kueue's order: quota reservation first, then the
/// ProvisioningRequest check, then admission). A workload that no node fits now, whose queue names admission checks
/// and for which a ProvisioningRequest asks nodes (<see cref="KubernetesNames.ProvisioningRequestAnnotation"/>), has
/// its quota reserved when its queue's quota holds it: the admission record plans its pods on no node yet, which
/// charges the quota (so nothing smaller takes it meanwhile) and holds no node. When the new nodes join, the
/// runtime places its pods there before any pending workload is tried, and binds them once every check is Ready; when
/// the request fails, the check asks to retry and the reservation goes back with the workload's backoff.
/// </summary>
public sealed partial class DecisionPlanner
{
    /// <summary>
    /// Pending reason codes that may say nodes are missing, where provisioning can help: <c>NeverFits</c> too, since no
    /// node of today's may ever hold it (when its quota never could, the quota check below says no).
    /// </summary>
    private static readonly string[] NodeCodes = [nameof(PendingReasonCode.NoNodeFits), nameof(PendingReasonCode.GangIncomplete), nameof(PendingReasonCode.NeverFits)];

    /// <summary>
    /// The workloads of this cycle that reserve quota without nodes, each with its flavor's name: in queue order, each
    /// charged to the engine's quota as it is chosen, so that two never share one quota and none takes what this
    /// cycle's admissions took.
    /// </summary>
    private Dictionary<string, string> ProvisioningReservations(CyclePlan cycle, IReadOnlyDictionary<string, WorkloadSource> sources)
    {
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        var engine = cycle.Engine;
        var waiting = cycle.Steps.OfType<PendingStep>()
            .Where(p => NodeCodes.Contains(p.Code) && WaitsForProvisionedNodes(sources[p.Workload]))
            .OrderBy(p => p.Position ?? int.MaxValue).ThenBy(p => p.Workload, StringComparer.Ordinal);
        foreach (var pending in waiting)
        {
            var source = sources[pending.Workload];
            if (engine.Find(source.Id) is not { Phase: WorkloadPhase.Pending or WorkloadPhase.Failed } state)
            {
                continue;
            }

            // The flavor the engine found no node in, when it names one; else (NeverFits: no node of today's could
            // hold it) the queue's flavors in order, leaving out spot flavors the workload may not use.
            var request = source.Workload.Request;
            var queue = _config.Queues.First(q => q.Name == source.Workload.Queue);
            IEnumerable<string> names = pending.Flavor is { } named ? [named]
                : queue.Flavors.Select(q => q.Flavor).Where(n => source.Workload.MayRunOnSpot || _config.Flavors.FirstOrDefault(x => x.Name == n) is not { Spot: true });
            foreach (var name in names)
            {
                var f = IndexOf(engine.Quotas.Flavors, name);
                if (f >= 0 && engine.Quotas.QueueHasFlavor(state.QueueIndex, f) && engine.Quotas.Fits(state.QueueIndex, f, request))
                {
                    engine.Quotas.Add(state.QueueIndex, f, request);
                    chosen[source.Id] = name;
                    break;
                }
            }
        }

        return chosen;
    }

    /// <summary>True for a workload that waits for nodes a ProvisioningRequest asks for, and has not been rejected.</summary>
    private bool WaitsForProvisionedNodes(WorkloadSource source) =>
        !source.Admitted && source.Problem is null && source.CheckRejectedAt is null && ChecksOf(source).Count > 0
        && MetaOf(source)?.Annotations?.ContainsKey(KubernetesNames.ProvisioningRequestAnnotation) == true;

    /// <summary>Reserves the workload's quota in <paramref name="flavorName"/> with every pod planned on no node yet.</summary>
    private void ReserveWithoutNodes(WorkloadSource source, string flavorName)
    {
        var flavor = _config.Flavors.First(f => f.Name == flavorName);
        var pods = source.Workload.PodSets.SelectMany((set, i) => Enumerable.Repeat(new PlannedPlacement(i, string.Empty, 0, 0), set.Count)).ToArray();
        Reserve(source, new AdmitStep(source.Id, flavor, new AdmissionMemo(flavorName, _snapshot.Now, pods)) { Pods = pods.Length, GpuMilli = source.Workload.Request.GpuMilli });
    }

    private static k8s.Models.V1ObjectMeta? MetaOf(WorkloadSource source) =>
        (source.Owner as Api.PodGroup)?.Metadata ?? (source.Owner as k8s.Models.V1Job)?.Metadata ?? (source.Owner as Frameworks.FrameworkObject)?.Metadata ?? source.Anchor?.Object.Metadata;

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
