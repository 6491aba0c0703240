using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Utilization;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// A job-level simulation: the cluster, the queueing configuration, the workloads (from every source,
/// ordered by submit time then id), the admission settings, and for conformance tests the expected events.
/// Produced by <see cref="ScenarioReader"/>; valid by construction (the reader rejects what is not).
/// </summary>
public sealed record Scenario(string Name)
{
    /// <summary>The file it was read from ("" when built in code).</summary>
    public string File { get; init; } = string.Empty;

    public string Description { get; init; } = string.Empty;

    public IReadOnlyList<NodeGroup> NodeGroups { get; init; } = [];

    /// <summary>The node groups expanded, in group order.</summary>
    public IReadOnlyList<Node> Nodes { get; init; } = [];

    public QueueConfiguration Queues { get; init; } = new();

    public IReadOnlyList<Workload> Workloads { get; init; } = [];

    /// <summary>
    /// Workloads already admitted and running at time 0 (a snapshot of a live cluster); empty for scenario files.
    /// The replay restores these in order, each pod where it is said to be, then withholds <see cref="Withheld"/>,
    /// then places pods given no place: whoever builds a scenario checks that the places and held pods fit in that order.
    /// </summary>
    public IReadOnlyList<RunningWorkload> Running { get; init; } = [];

    /// <summary>Capacity taken at time 0 by pods no queue is charged for, held for the whole run.</summary>
    public IReadOnlyList<WithheldPod> Withheld { get; init; } = [];

    /// <summary>The scenario's settings; a profile is laid over them per run.</summary>
    public AdmissionOptions Options { get; init; } = AdmissionOptions.Default;

    /// <summary>Profiles to compare when the command line names none (built-in names or <see cref="OwnProfiles"/>).</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>
    /// Profiles the scenario defines as data (<c>admissionProfiles</c>), none with a built-in name; resolve a name
    /// through <see cref="ScenarioProfiles"/>, which looks here before the built-in ones.
    /// </summary>
    public IReadOnlyList<AdmissionProfile> OwnProfiles { get; init; } = [];

    /// <summary>Stop the run at this time even if work is left (null: run until every workload is done or stuck).</summary>
    public TimeSpan? Horizon { get; init; }

    /// <summary>Spot nodes reclaimed by a seeded process during the replay (null: never).</summary>
    public SpotReclaims? SpotReclaims { get; init; }

    public IReadOnlyList<ExpectedEvent> Expectations { get; init; } = [];

    /// <summary>The model that gave GPU activity to the workloads that did not state it (yield figures rest on it).</summary>
    public UtilizationModel Utilization { get; init; } = UtilizationModel.Default;

    /// <summary>The price of a GPU-hour per GPU model (the <c>prices</c> section) for showback; null: none given.</summary>
    public Berth.Runtime.Yield.PriceTable? Prices { get; init; }

    /// <summary>
    /// How fast one node fetches a dataset it does not cache, in GB per second (an assumption, see
    /// <see cref="Jobs.DataStaging"/>): 1.25, a 10 Gbit/s link. Scenario key <c>stageInGbPerSecond</c>.
    /// </summary>
    public double StageInGbPerSecond { get; init; } = DefaultStageInGbPerSecond;

    /// <summary>The default of <see cref="StageInGbPerSecond"/>: a 10 Gbit/s link.</summary>
    public const double DefaultStageInGbPerSecond = 1.25;

    /// <summary>Facts the reader derived that a user should see (cluster sized for a load, quotas computed).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
