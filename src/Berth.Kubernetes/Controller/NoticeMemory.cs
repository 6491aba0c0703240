namespace Berth.Kubernetes.Controller;

/// <summary>
/// The notices (<see cref="DecisionPlan.Notices"/>) already recorded as events by this controller: each decision
/// finds the same ones again, and one event per object and message is enough. Bounded: past
/// <see cref="Capacity"/> entries it forgets everything and a notice may be recorded once more, which is cheaper than
/// growing without end on a cluster whose objects keep changing. Not thread-safe: the executor runs one plan at a time.
/// </summary>
internal sealed class NoticeMemory
{
    public const int Capacity = 10_000;

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>True the first time this notice is offered (record it); false after.</summary>
    public bool IsNew(EventAction notice)
    {
        if (_seen.Count >= Capacity)
        {
            _seen.Clear();
        }

        // The uid tells a re-created object of the same name apart, so its warnings are shown again.
        return _seen.Add($"{notice.About.Kind}\u0000{notice.About.NamespaceProperty}\u0000{notice.About.Name}\u0000{notice.About.Uid}\u0000{notice.Message}");
    }
}
