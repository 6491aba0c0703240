using Berth.Engine.Admission.Actions.Allocate;
using Berth.Engine.Admission.Actions.Backfill;
using Berth.Engine.Admission.Actions.Consolidate;
using Berth.Engine.Admission.Actions.Preempt;

namespace Berth.Engine.Admission.Actions;

/// <summary>
/// Every admission action by name. A new action is one folder under Actions/, one line here and one conformance
/// scenario; a profile then names it in its action list.
/// </summary>
public static class AdmissionActions
{
    public const string Allocate = "allocate";
    public const string Backfill = "backfill";
    public const string Consolidate = "consolidate";
    public const string Preempt = "preempt";

    private static readonly IAdmissionAction[] Registered =
    [
        new AllocateAction(),
        new BackfillAction(),
        new ConsolidateAction(),
        new PreemptAction(),
    ];

    /// <summary>The registered names, in registry order.</summary>
    public static IReadOnlyList<string> Names { get; } = Registered.Select(a => a.Name).ToArray();

    public static bool IsKnown(string name) => Registered.Any(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    internal static IAdmissionAction Get(string name) =>
        Registered.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal))
        ?? throw new ArgumentException($"admission action '{name}' is unknown; choose among: {string.Join(", ", Names)}", nameof(name));
}
