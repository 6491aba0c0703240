using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// The conditions of a PodGroup's status, as documented: <c>Admitted</c>, <c>Ready</c> (the spec is valid),
/// <c>PodsReady</c> (admitted and every member bound and ready) and <c>Evicted</c> (true from an eviction until it
/// is admitted again). A condition keeps its transition time while its status does not flip.
/// </summary>
public sealed partial class DecisionPlanner
{
    /// <summary>Pending codes that mean the group's spec (or its pods') cannot be used.</summary>
    private static readonly HashSet<string> SpecProblems = new(StringComparer.Ordinal) { ConditionReasons.InvalidSpec, ConditionReasons.UnknownPriorityClass, ConditionReasons.NoQueue };

    private List<V1Condition> GroupConditions(WorkloadSource source, string phase, string? code, string? message, string? flavor, string? evictedFor, string? evictedMessage)
    {
        var running = phase is PodGroupPhases.Admitted or PodGroupPhases.Running;
        var podsReady = running && source.Members.Count > 0 && source.Members.All(m => m.Pod.Bound && m.Pod.View.Ready);
        var previousEviction = (source.Owner as PodGroup)?.Status?.Conditions?.FirstOrDefault(c => c?.Type == ConditionTypes.Evicted);
        var invalid = code is not null && SpecProblems.Contains(code);
        return
        [
            Condition(source, ConditionTypes.Admitted, code is null, code ?? "Admitted", message ?? (flavor is null ? "admitted" : $"admitted in flavor {flavor}")),
            Condition(source, ConditionTypes.Ready, !invalid, invalid ? code! : ConditionReasons.Valid, invalid ? message ?? code! : "the spec is valid"),
            podsReady
                ? Condition(source, ConditionTypes.PodsReady, true, "PodsReady", $"all {source.Members.Count} pods are bound and ready")
                : Condition(source, ConditionTypes.PodsReady, false, running ? "PodsNotReady" : "NotAdmitted", running ? "not every pod is bound and ready yet" : "it is not admitted"),
            evictedFor is not null
                ? Condition(source, ConditionTypes.Evicted, true, evictedFor, evictedMessage ?? evictedFor)
                : running || previousEviction is null
                    ? Condition(source, ConditionTypes.Evicted, false, running ? "Admitted" : "NotEvicted", running ? "admitted; not evicted since" : "never evicted")
                    : previousEviction,
        ];
    }

    /// <summary>A condition, with the transition time of the group's current condition of that type when the status is the same.</summary>
    private V1Condition Condition(WorkloadSource source, string type, bool status, string reason, string message)
    {
        var text = status ? "True" : "False";
        var old = (source.Owner as PodGroup)?.Status?.Conditions?.FirstOrDefault(c => c?.Type == type);
        return new V1Condition
        {
            Type = type,
            Status = text,
            Reason = reason,
            Message = message,
            LastTransitionTime = old is not null && old.Status == text && old.LastTransitionTime is { } at ? at : _snapshot.Now.UtcDateTime,
        };
    }
}
