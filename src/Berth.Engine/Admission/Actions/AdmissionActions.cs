using Berth.Engine.Admission.Actions.Allocate;
using Berth.Engine.Admission.Actions.Backfill;
using Berth.Engine.Admission.Actions.Consolidate;
using Berth.Engine.Admission.Actions.Preempt;
using Berth.Engine.Admission.Actions.Reclaim;

namespace Berth.Engine.Admission.Actions;

/// <summary>
/// Every admission action by name. A new action is one folder under Actions/, one line here and one conformance
/// scenario; a profile then names it in its action list. (A test may extend the registry for one scheduler through
/// <see cref="AdmissionOptions.ActionRegistry"/>, the same one line, without changing any built-in profile.)
/// </summary>
public static class AdmissionActions
{
    public const string Allocate = "allocate";
    public const string Backfill = "backfill";
    public const string Consolidate = "consolidate";
    public const string Preempt = "preempt";
    public const string Reclaim = "reclaim";

    /// <summary>The built-in actions: the registry a scheduler reads unless <see cref="AdmissionOptions.ActionRegistry"/> extends it.</summary>
    internal static IReadOnlyList<IAdmissionAction> All { get; } =
    [
        new AllocateAction(),
        new BackfillAction(),
        new ReclaimAction(),
        new ConsolidateAction(),
        new PreemptAction(),
    ];

    /// <summary>The registered names, in registry order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(a => a.Name).ToArray();

    /// <summary>The action named <paramref name="name"/> in <paramref name="registry"/>, or null.</summary>
    internal static IAdmissionAction? Find(IReadOnlyList<IAdmissionAction> registry, string name) =>
        registry.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));
}
