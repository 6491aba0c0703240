using System.Globalization;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Pods that never start (<see cref="ControllerOptions.PodsReadyTimeout"/>, off by default as Kueue's waitForPodsReady):
/// an admitted Job or PodGroup whose pods are not all ready in time is requeued with exponential backoff, kept on
/// its annotations, and fails past the backoff limit instead of looping.
/// </summary>
public sealed partial class DecisionPlanner
{
    /// <summary>Reason of a Job or PodGroup requeued, or failed past the backoff limit, because its pods did not all become ready in time.</summary>
    public const string GangNotReadyReason = "GangNotReady";

    /// <summary>
    /// For an admitted Job or PodGroup whose pods have not all been ready yet: null while within the gang ready
    /// timeout (writing the pods-ready annotation the first time they all are), else why it is late.
    /// </summary>
    private string? NotReadyInTime(WorkloadSource source)
    {
        if (_options.PodsReadyTimeout is null || source.Kind is not (SourceKind.Job or SourceKind.PodGroup) || source.Record is not { } record || source.PodsReadyAt is not null || record.Pods.Count == 0)
        {
            return null;
        }

        _podsByJob ??= _pods.Where(p => p.View.OwnerJob is not null).ToLookup(p => (p.Namespace, p.View.OwnerJob!));
        _podsByGroup ??= _pods.Where(p => p.View.PodGroup is not null).ToLookup(p => (p.Namespace, p.View.PodGroup!));
        var pods = (source.Kind == SourceKind.Job ? _podsByJob : _podsByGroup)[(source.Namespace, source.Name)];
        var ready = pods.Count(p => p.View.Phase == "Succeeded" || (!p.Terminal && !p.Terminating && p.View.Ready));
        if (ready >= record.Pods.Count)
        {
            var kind = source.Kind == SourceKind.Job ? "Job" : Api.PodGroup.KubeKind;
            _plan.Annotations.Add(new AnnotateAction(kind, source.Namespace, source.Name, new Dictionary<string, string?>
            {
                [KubernetesNames.PodsReadyAnnotation] = _snapshot.Now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                [KubernetesNames.RequeuesAnnotation] = null,
                [KubernetesNames.BackoffUntilAnnotation] = null,
            }));
            return null;
        }

        var timeout = _options.PodsReadyTimeout.Value;
        return _snapshot.Now - record.AdmittedAt > timeout
            ? $"{ready} of its {record.Pods.Count} pods were ready {timeout.TotalSeconds:0}s after admission"
            : null;
    }

    /// <summary>Requeues a workload whose pods did not become ready in time, with exponential backoff; past the limit it fails.</summary>
    private void RequeueNotReady(WorkloadSource source, string why)
    {
        var options = _options.ToAdmissionOptions();
        var requeues = source.Requeues + 1;
        var backoff = options.BackoffBase * Math.Pow(2, source.Requeues);
        var message = requeues > options.BackoffLimit
            ? $"{why}; requeued {requeues} times, past the limit of {options.BackoffLimit}: it fails and is not admitted again"
            : $"{why}; requeued (attempt {requeues} of {options.BackoffLimit}), tried again after {backoff.TotalSeconds:0}s";
        Requeue(source, GangNotReadyReason, message);
        var kind = source.Kind == SourceKind.Job ? "Job" : Api.PodGroup.KubeKind;
        _plan.Annotations.Add(new AnnotateAction(kind, source.Namespace, source.Name, new Dictionary<string, string?>
        {
            [KubernetesNames.RequeuesAnnotation] = requeues.ToString(CultureInfo.InvariantCulture),
            [KubernetesNames.BackoffUntilAnnotation] = (_snapshot.Now + backoff).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        }));
    }
}
