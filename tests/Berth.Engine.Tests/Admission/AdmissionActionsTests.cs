using Berth.Engine.Admission;
using Berth.Engine.Admission.Actions;
using Berth.Engine.Admission.Strategies;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>Profiles are data (an action list and options); actions and strategies come from one registry each.</summary>
public class AdmissionActionsTests
{
    [Fact]
    public void Profiles_ListActionsLeastDisruptiveFirst()
    {
        var rank = new[] { AdmissionActions.Allocate, AdmissionActions.Backfill, AdmissionActions.Reclaim, AdmissionActions.Consolidate, AdmissionActions.Preempt };
        foreach (var profile in AdmissionProfiles.All)
        {
            Assert.Equal(AdmissionActions.Allocate, profile.Actions[0]);
            var ranks = profile.Actions.Select(a => Array.IndexOf(rank, a)).ToArray();
            Assert.True(ranks.All(r => r >= 0) && ranks.SequenceEqual(ranks.Order()), $"{profile.Name}: [{string.Join(", ", profile.Actions)}]");
            Assert.Equal(profile.Name.EndsWith(AdmissionProfiles.PreemptionSuffix, StringComparison.Ordinal), profile.Actions.Contains(AdmissionActions.Preempt));
        }
    }

    [Fact]
    public void Apply_Profile_SetsItsActionsOverTheScenarioSettings()
    {
        var options = AdmissionProfiles.Apply("fair-share+backfill+preemption", new AdmissionOptions { Seed = 7, Backfill = false });
        Assert.Equal([AdmissionActions.Allocate, AdmissionActions.Backfill, AdmissionActions.Consolidate, AdmissionActions.Preempt], options.EffectiveActions);
        Assert.True(options.Backfill && options.Preemption);
        Assert.Equal(7, options.Seed);
    }

    [Fact]
    public void EffectiveActions_WithoutActionList_FollowTheShorthandSwitches()
    {
        Assert.Equal([AdmissionActions.Allocate], new AdmissionOptions().EffectiveActions);
        Assert.Equal([AdmissionActions.Allocate, AdmissionActions.Consolidate, AdmissionActions.Preempt], new AdmissionOptions { Preemption = true }.EffectiveActions);
    }

    [Fact]
    public void Validate_UnknownAction_NamesTheFieldAndTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => new AdmissionOptions { Actions = [AdmissionActions.Allocate, "steal"] }.Validate());
        Assert.Contains("actions: 'steal'", error.Message, StringComparison.Ordinal);
        Assert.Contains(AdmissionActions.Preempt, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ActionTwice_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new AdmissionOptions { Actions = [AdmissionActions.Allocate, AdmissionActions.Allocate] }.Validate());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Schedule_ActionListDecidesWhetherToPreempt(bool withPreempt)
    {
        // The same queue policy allows preemption; only the profile's action list differs.
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority };
        string[] actions = withPreempt ? [AdmissionActions.Allocate, AdmissionActions.Preempt] : [AdmissionActions.Allocate, AdmissionActions.Consolidate];
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Preempt(policy).Build()], new AdmissionOptions { PlacementPolicy = "bestfit", Actions = actions });
        f.Submit(Make.Workload("low").In("q").Pods(1, gpus: 8).Priority(0));
        f.Scheduler.Schedule();
        f.Submit(Make.Workload("high").In("q").Pods(1, gpus: 8).Priority(10));
        f.Scheduler.Schedule();
        Assert.Equal(withPreempt ? WorkloadPhase.Admitted : WorkloadPhase.Pending, f.Phase("high"));
        Assert.Equal(withPreempt ? WorkloadPhase.Pending : WorkloadPhase.Admitted, f.Phase("low"));
    }

    /// <summary>
    /// Each action and strategy has at least one conformance scenario whose file name starts with this prefix. The
    /// reclaim action shares its name and scenarios with the reclaim strategy: it runs that strategy alone.
    /// </summary>
    public static TheoryData<string, string> ScenarioPrefixes() => new()
    {
        { AdmissionActions.Allocate, "quota-" },
        { AdmissionActions.Backfill, "backfill-" },
        { AdmissionActions.Consolidate, "consolidation-" },
        { AdmissionActions.Preempt, "preempt" },
        { "within-queue", "preempt-within-queue-" },
        { AdmissionActions.Reclaim, "reclaim-" },
        { "fair-share", "fair-share-preemption-" },
    };

    [Theory]
    [MemberData(nameof(ScenarioPrefixes))]
    public void Registry_EveryActionAndStrategyHasAConformanceScenario(string name, string prefix)
    {
        Assert.Contains(name, AdmissionActions.Names.Concat(StrategyNames()));
        var folder = Path.Combine(RepositoryRoot(), "scenarios", "conformance");
        Assert.Contains(Directory.GetFiles(folder, "*.yaml"), f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Registry_NamesEveryActionAndStrategyOnce()
    {
        Assert.Equal(AdmissionActions.Names.Count, AdmissionActions.Names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(StrategyNames().Count(), StrategyNames().Distinct(StringComparer.Ordinal).Count());

        // Only the reclaim action is named as a strategy: the one it runs.
        Assert.Equal([AdmissionActions.Reclaim], AdmissionActions.Names.Intersect(StrategyNames(), StringComparer.Ordinal));
        var names = AdmissionActions.Names.Union(StrategyNames(), StringComparer.Ordinal).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), ScenarioPrefixes().Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    private static IEnumerable<string> StrategyNames() => PreemptionStrategies.All.Select(s => s.Name);

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Berth.slnx not found above the test folder");
    }
}
