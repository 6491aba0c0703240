using System.Globalization;
using Berth.Kubernetes;
using Berth.Kubernetes.Controller;
using Berth.TestKit.Kubernetes.Fake;
using k8s.Models;

namespace Berth.Cli.Tests.Chaos;

/// <summary>
/// The invariants of <see cref="ChaosInvariant"/> over one <see cref="ChaosSnapshot"/> and the fake's record of every
/// binding it accepted. Each distinct problem is reported once. Not thread-safe: the harness loop calls it.
/// </summary>
internal sealed class ChaosChecks
{
    private readonly ChaosOptions _options;
    private readonly Dictionary<string, string> _boundTo = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly Dictionary<ChaosInvariant, int> _checks = [];
    private int _bindingsSeen;

    public ChaosChecks(ChaosOptions options) => _options = options;

    /// <summary>How many times each invariant was checked (one snapshot is one check of each).</summary>
    public IReadOnlyDictionary<ChaosInvariant, int> Checks => _checks;

    public void Check(ChaosSnapshot snapshot, IReadOnlyList<BindingRecord> bindings, IReadOnlyList<ChaosWorkload> workloads, Action<ChaosInvariant, string> violation)
    {
        void Once(ChaosInvariant invariant, string key, string message)
        {
            if (_reported.Add(invariant + ":" + key))
            {
                violation(invariant, message);
            }
        }

        BoundOnce(snapshot, bindings, Once);
        Gpus(snapshot, Once);
        Quota(snapshot, workloads, Once);
        Gangs(snapshot, workloads, Once);
        foreach (var invariant in (ChaosInvariant[])[ChaosInvariant.BoundOnce, ChaosInvariant.GpusNotOvercommitted, ChaosInvariant.QuotaRespected, ChaosInvariant.GangComplete, ChaosInvariant.AdmittedExactlyOnce])
        {
            _checks[invariant] = _checks.GetValueOrDefault(invariant) + 1;
        }
    }

    /// <summary>Every binding the API server accepted is of a pod never bound before (names are never reused), and each pod is on the node of its binding.</summary>
    private void BoundOnce(ChaosSnapshot snapshot, IReadOnlyList<BindingRecord> bindings, Action<ChaosInvariant, string, string> once)
    {
        var count = bindings.Count;
        for (; _bindingsSeen < count; _bindingsSeen++)
        {
            var b = bindings[_bindingsSeen];
            if (b.Namespace != ChaosCluster.Namespace)
            {
                continue;
            }

            if (!_boundTo.TryAdd(b.Pod, b.Node))
            {
                once(ChaosInvariant.BoundOnce, b.Pod, $"pod {b.Pod} bound twice: to {_boundTo[b.Pod]}, then to {b.Node}");
            }
        }

        foreach (var pod in snapshot.Pods.Where(ChaosSnapshot.IsBound))
        {
            if (_boundTo.TryGetValue(pod.Metadata.Name, out var node) && node != pod.Spec.NodeName)
            {
                once(ChaosInvariant.BoundOnce, pod.Metadata.Name + "@", $"pod {pod.Metadata.Name} is on {pod.Spec.NodeName} but was bound to {node}");
            }
        }
    }

    /// <summary>Per node and GPU index, the milli-GPU of every pod holding it (terminating ones included) is at most 1000.</summary>
    private void Gpus(ChaosSnapshot snapshot, Action<ChaosInvariant, string, string> once)
    {
        var used = new Dictionary<(string Node, int Gpu), (int Milli, List<string> Pods)>();
        foreach (var pod in snapshot.Pods.Where(ChaosSnapshot.HoldsGpus))
        {
            var annotations = pod.Metadata.Annotations;
            if (annotations is null || !annotations.TryGetValue(KubernetesNames.GpuIndicesAnnotation, out var indices) || !annotations.TryGetValue(KubernetesNames.GpuMilliAnnotation, out var milliText))
            {
                once(ChaosInvariant.GpusNotOvercommitted, pod.Metadata.Name, $"pod {pod.Metadata.Name} is bound to {pod.Spec.NodeName} without Berth's GPU assignment annotations");
                continue;
            }

            var milli = int.Parse(milliText, CultureInfo.InvariantCulture);
            foreach (var index in indices.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(i => int.Parse(i, CultureInfo.InvariantCulture)))
            {
                if (index < 0 || index >= _options.GpusPerNode)
                {
                    once(ChaosInvariant.GpusNotOvercommitted, pod.Metadata.Name + "#", $"pod {pod.Metadata.Name} got GPU {index} of {pod.Spec.NodeName}, which has {_options.GpusPerNode}");
                }

                var key = (pod.Spec.NodeName, index);
                var (sum, pods) = used.GetValueOrDefault(key, (0, []));
                pods.Add(pod.Metadata.DeletionTimestamp is null ? pod.Metadata.Name : pod.Metadata.Name + " (terminating)");
                used[key] = (sum + milli, pods);
            }
        }

        foreach (var ((node, gpu), (milli, pods)) in used.Where(u => u.Value.Milli > 1000))
        {
            once(ChaosInvariant.GpusNotOvercommitted, string.Join(',', pods), string.Create(CultureInfo.InvariantCulture, $"GPU {gpu} of {node} holds {milli} milli-GPU: {string.Join(", ", pods)}"));
        }
    }

    /// <summary>Admitted GPUs (from the admission records of unfinished workloads) per queue at most nominal + borrowing limit, and in the cohort at most the sum of nominal quotas.</summary>
    private void Quota(ChaosSnapshot snapshot, IReadOnlyList<ChaosWorkload> workloads, Action<ChaosInvariant, string, string> once)
    {
        var perQueue = new Dictionary<string, (double Gpus, List<string> Names)>(StringComparer.Ordinal);
        foreach (var w in workloads.Where(w => w.Stage is ChaosStage.Queued or ChaosStage.Admitted or ChaosStage.Running))
        {
            double gpus;
            if (w.IsPod)
            {
                // A lone pod's admission is its binding: it uses what its GPU annotations say.
                var pod = snapshot.PodsByWorkload[w.Name].FirstOrDefault(ChaosSnapshot.HoldsGpus);
                if (pod?.Metadata.Annotations is not { } annotations || !annotations.TryGetValue(KubernetesNames.GpuMilliAnnotation, out var milli))
                {
                    continue;
                }

                gpus = GpusOf(pod).Length * int.Parse(milli, CultureInfo.InvariantCulture) / 1000.0;
            }
            else
            {
                V1ObjectMeta? meta = w.IsJob ? snapshot.JobsByName.GetValueOrDefault(w.Name)?.Metadata : snapshot.GroupsByName.GetValueOrDefault(w.Name)?.Metadata;
                if (AdmissionRecord.Parse(meta?.Annotations) is not { } record)
                {
                    continue;
                }

                gpus = record.Pods.Sum(p => p.Gpus.Count * p.Milli / 1000.0);
            }

            var (sum, names) = perQueue.GetValueOrDefault(w.Queue, (0, []));
            names.Add(w.Name);
            perQueue[w.Queue] = (sum + gpus, names);
        }

        var limit = _options.NominalGpus + _options.BorrowingLimitGpus;
        foreach (var (queue, (gpus, names)) in perQueue.Where(q => q.Value.Gpus > limit + 1e-9))
        {
            once(ChaosInvariant.QuotaRespected, queue + ":" + string.Join(',', names), string.Create(CultureInfo.InvariantCulture, $"queue {queue} has {gpus:0.##} GPUs admitted, above nominal {_options.NominalGpus} + borrowing limit {_options.BorrowingLimitGpus}: {string.Join(", ", names)}"));
        }

        var total = perQueue.Values.Sum(q => q.Gpus);
        var cohort = _options.NominalGpus * _options.Queues;
        if (total > cohort + 1e-9)
        {
            var all = perQueue.Values.SelectMany(q => q.Names).ToList();
            once(ChaosInvariant.QuotaRespected, "cohort:" + string.Join(',', all), string.Create(CultureInfo.InvariantCulture, $"cohort has {total:0.##} GPUs admitted, above its queues' nominal {cohort}: {string.Join(", ", all)}"));
        }
    }

    /// <summary>What a stuck gang's record planned, where its pods are, and who holds the GPUs it planned: enough to tell a Berth bug from a slow step.</summary>
    private static string Explain(ChaosSnapshot snapshot, ChaosWorkload w)
    {
        V1ObjectMeta? meta = w.IsJob ? snapshot.JobsByName.GetValueOrDefault(w.Name)?.Metadata : snapshot.GroupsByName.GetValueOrDefault(w.Name)?.Metadata;
        var record = AdmissionRecord.Parse(meta?.Annotations);
        var planned = record is null ? "no record" : "planned " + string.Join(" ", record.Pods.Select(p => $"{p.Node}[{string.Join(',', p.Gpus)}]x{p.Milli}"));
        var pods = string.Join(" ", snapshot.PodsByWorkload[w.Name].Select(Describe));
        var holders = record is null ? "" : string.Join(" ", record.Pods.SelectMany(p => p.Gpus.Select(g => (p.Node, Gpu: g))).Distinct()
            .Select(slot => $"{slot.Node}[{slot.Gpu}]<-{string.Join('+', snapshot.Pods.Where(p => p.Spec.NodeName == slot.Node && ChaosSnapshot.HoldsGpus(p) && GpusOf(p).Contains(slot.Gpu)).Select(Describe))}"));
        return $"{planned}; pods {pods}; holders {holders}";
    }

    private static string Describe(V1Pod pod) =>
        $"{pod.Metadata.Name}@{(ChaosSnapshot.IsBound(pod) ? pod.Spec.NodeName + "[" + string.Join(',', GpusOf(pod)) + "]" : "unbound")}:{pod.Status?.Phase}{(pod.Metadata.DeletionTimestamp is null ? "" : ",terminating")}";

    private static int[] GpusOf(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(KubernetesNames.GpuIndicesAnnotation, out var indices) == true
            ? indices.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(i => int.Parse(i, CultureInfo.InvariantCulture)).ToArray()
            : [];

    /// <summary>
    /// An admitted, unfinished gang has its minimum bound within the gang timeout of being seen admitted, counting only
    /// the time a live replica held the Lease: while the harness keeps killing leaders nobody can bind, and that is not
    /// Berth's fault; a leader that sits on a half-bound gang is.
    /// </summary>
    private void Gangs(ChaosSnapshot snapshot, IReadOnlyList<ChaosWorkload> workloads, Action<ChaosInvariant, string, string> once)
    {
        foreach (var w in workloads.Where(w => w.Stage is ChaosStage.Admitted or ChaosStage.Running && snapshot.Led - w.AdmittedLed > _options.GangTimeout))
        {
            var bound = snapshot.PodsByWorkload[w.Name].Count(p => ChaosSnapshot.HoldsGpus(p) && p.Metadata.DeletionTimestamp is null);
            if (bound < w.MinMember)
            {
                once(ChaosInvariant.GangComplete, w.Key, string.Create(CultureInfo.InvariantCulture, $"{w.Key} admitted {(snapshot.Now - w.AdmittedSeen!.Value).TotalSeconds:F0} s ago ({(snapshot.Led - w.AdmittedLed).TotalSeconds:F0} s of them with a live leader) runs {bound} of its minimum {w.MinMember} pods; {Explain(snapshot, w)}"));
            }
        }
    }
}
