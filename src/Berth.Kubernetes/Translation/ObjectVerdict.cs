using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Whether one Berth object (a Flavor, Cohort or Queue) is valid and part of the configuration, as the
/// content of its <c>Ready</c> condition: <see cref="Reason"/> is one of <see cref="ConditionReasons"/>, and for
/// an invalid object <see cref="Message"/> names the field and the fix.
/// </summary>
public sealed record ObjectVerdict(string Kind, string Name, bool Ready, string Reason, string Message, long? ObservedGeneration)
{
    /// <summary>The condition for the object's status. The translators never read a clock: the caller gives the transition time (keep the old one when the status did not change).</summary>
    public V1Condition ToCondition(DateTime lastTransitionTime) => new()
    {
        Type = ConditionTypes.Ready,
        Status = Ready ? "True" : "False",
        Reason = Reason,
        Message = Message,
        ObservedGeneration = ObservedGeneration,
        LastTransitionTime = lastTransitionTime,
    };
}
