using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// What the translators ignored in an object and said so (a bad annotation, a field Berth does not model): a
/// Warning event on that object, so the person who wrote it sees it with <c>kubectl describe</c> rather than only in
/// the operator's log. The executor records each (object, message) once per controller (<see cref="DecisionPlan.Notices"/>).
/// </summary>
public sealed partial class DecisionPlanner
{
    /// <summary>Reason of the Warning event about input Berth ignored.</summary>
    public const string IgnoredInputReason = "IgnoredInput";

    private void Notice(V1ObjectReference about, IReadOnlyList<string> warnings)
    {
        foreach (var warning in warnings)
        {
            _plan.Notices.Add(new EventAction(about, "Warning", IgnoredInputReason, warning));
        }
    }
}
