using Berth.Engine.Admission.Actions;
using Berth.Engine.Policies;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// How the admission engine behaves: the settings a scenario file gives, with a profile
/// (<see cref="AdmissionProfiles"/>) laid over them. Defaults are what a new user would expect.
/// </summary>
public sealed record AdmissionOptions
{
    public static readonly AdmissionOptions Default = new();

    /// <summary>The placement policy used to place the pods of a workload (see <see cref="PlacementPolicies"/>).</summary>
    public string PlacementPolicy { get; init; } = PlacementPolicies.Default;

    public CandidateOrder Order { get; init; } = CandidateOrder.FairShare;

    /// <summary>When set, every queue uses this strategy instead of its own.</summary>
    public QueueingStrategy? StrategyOverride { get; init; }

    /// <summary>
    /// The admission actions a cycle runs for each candidate, in order, least disruptive first (see
    /// <see cref="AdmissionActions"/>): a profile (<see cref="AdmissionProfile"/>) sets it. Null: the list follows from
    /// the shorthand switches <see cref="Backfill"/> and <see cref="Preemption"/> (<see cref="EffectiveActions"/>).
    /// </summary>
    public IReadOnlyList<string>? Actions { get; init; }

    /// <summary>
    /// The actions <see cref="Actions"/> may name: the built-in registry (<see cref="AdmissionActions.All"/>). Internal,
    /// so that a test can run an action of its own through the same lookup, validation and cycle as a built-in one.
    /// </summary>
    internal IReadOnlyList<IAdmissionAction> ActionRegistry { get; init; } = AdmissionActions.All;

    /// <summary>The actions a scheduler runs, looked up by name in <see cref="ActionRegistry"/> (the options must be valid).</summary>
    internal IAdmissionAction[] ResolveActions() => EffectiveActions.Select(a => AdmissionActions.Find(ActionRegistry, a)!).ToArray();

    /// <summary>
    /// Shorthand used only when <see cref="Actions"/> is null: false means queues' preemption policies are ignored
    /// (nothing is ever preempted, reclaimed or moved): no consolidate and preempt actions.
    /// </summary>
    public bool Preemption { get; init; }

    /// <summary>
    /// Shorthand used only when <see cref="Actions"/> is null: true adds the backfill action (a starving head gets a
    /// reservation, and others are backfilled only where they end before it).
    /// </summary>
    public bool Backfill { get; init; }

    /// <summary>The action list a scheduler runs: <see cref="Actions"/>, or the one the shorthand switches give.</summary>
    public IReadOnlyList<string> EffectiveActions => Actions ?? ActionsFor(Backfill, Preemption);

    /// <summary>False: pods are placed one by one with no gangs and no quotas (plain Kubernetes, the `kube-default` profile).</summary>
    public bool Gangs { get; init; } = true;

    /// <summary>A head that has waited this long for nodes gets a reservation (with <see cref="Backfill"/>).</summary>
    public TimeSpan StarvationThreshold { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Pods of an admitted gang that are not all ready after this long are evicted and requeued.</summary>
    public TimeSpan GangReadyTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first requeue after a gang timeout waits this long; each next one twice as long.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>After this many gang timeouts the workload is failed with a visible reason.</summary>
    public int BackoffLimit { get; init; } = 3;

    /// <summary>
    /// True (the default): a cycle reuses what cannot have changed since the last one (quota failures while their
    /// quota tree is unchanged; the skip of larger failures decided per shape), with exactly the decisions of a cycle
    /// that looks at everything. False: every cycle looks at everything, the reference the property tests compare with.
    /// </summary>
    public bool Incremental { get; init; } = true;

    /// <summary>
    /// True (the default): a workload that names datasets is placed on nodes that cache more of them first, and may
    /// wait its <see cref="Berth.Model.Queueing.Workload.LocalityWait"/> for them. False: placement ignores datasets
    /// (the locality-blind baseline the simulator compares with). Workloads without datasets decide the same either way.
    /// </summary>
    public bool DataLocality { get; init; } = true;

    /// <summary>Seed of the placement engine's random streams.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The action list of the shorthand switches: allocate, then backfill, then consolidate and preempt.</summary>
    public static IReadOnlyList<string> ActionsFor(bool backfill, bool preemption)
    {
        var actions = new List<string> { AdmissionActions.Allocate };
        if (backfill)
        {
            actions.Add(AdmissionActions.Backfill);
        }

        if (preemption)
        {
            actions.Add(AdmissionActions.Consolidate);
            actions.Add(AdmissionActions.Preempt);
        }

        return actions;
    }

    public void Validate()
    {
        if (Actions is not null)
        {
            if (Actions.FirstOrDefault(a => AdmissionActions.Find(ActionRegistry, a) is null) is { } unknown)
            {
                throw new ArgumentException($"actions: '{unknown}' is not an admission action; choose among: {string.Join(", ", ActionRegistry.Select(a => a.Name))}", nameof(Actions));
            }

            if (Actions.Distinct(StringComparer.Ordinal).Count() != Actions.Count)
            {
                throw new ArgumentException($"actions: [{string.Join(", ", Actions)}] names an action twice; name each once, in the order they should run", nameof(Actions));
            }
        }

        if (!PlacementPolicies.TryGet(PlacementPolicy, out _))
        {
            throw new ArgumentException($"placement policy '{PlacementPolicy}' is unknown; choose one of: {string.Join(", ", PlacementPolicies.Names)}", nameof(PlacementPolicy));
        }

        if (StarvationThreshold < TimeSpan.Zero || GangReadyTimeout <= TimeSpan.Zero || BackoffBase < TimeSpan.Zero)
        {
            throw new ArgumentException("starvationThreshold and backoffBase must be 0 or more, gangReadyTimeout more than 0", nameof(StarvationThreshold));
        }

        if (BackoffLimit < 0)
        {
            throw new ArgumentException($"backoffLimit is {BackoffLimit}; it must be 0 or more", nameof(BackoffLimit));
        }
    }
}
