using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

/// <summary>
/// A scenario's own profiles (<c>admissionProfiles</c>): read as data, resolved before the built-in ones, and every
/// mistake an error naming the field (down to <c>admissionProfiles[0].actions[2]</c>) and the fix.
/// </summary>
public sealed class AdmissionProfilesSectionTests
{
    private const string File = "/scenarios/profiles.yaml";

    // Lines 1-9.
    private const string Body = "kind: Scenario\nname: t\ncluster:\n  nodeGroups:\n"
        + "    - {name: g, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}\n"
        + "flavors:\n  - {name: f}\n"
        + "queues:\n  - {name: q, flavors: [{flavor: f, gpu: 8}]}\n"
        + "workloads:\n  - {name: w1, queue: q, duration: 1h, gpus: 8}\n"; // 10, 11

    // Lines 12-15.
    private const string Own = "admissionProfiles:\n  - name: kai-order\n    actions: [allocate, backfill, reclaim, consolidate, preempt]\n    order: fifo\n";

    public sealed record Bad(string Case, string Text, int Line, string Field, string Mentions)
    {
        public override string ToString() => Case;
    }

    public static TheoryData<Bad> Cases => new()
    {
        new("An unknown action is named by its index and the registered ones are listed",
            Own.Replace("reclaim,", "steal,", StringComparison.Ordinal), 14, "admissionProfiles[0].actions[2]",
            "'steal' is not an admission action; write one of the registered actions: allocate, backfill, reclaim, consolidate, preempt"),
        new("A profile that does not start with allocate is rejected",
            Own.Replace("[allocate, backfill,", "[backfill, allocate,", StringComparison.Ordinal), 14, "admissionProfiles[0].actions[0]", "allocate must come first"),
        new("An action named twice is rejected", Own.Replace("consolidate", "backfill", StringComparison.Ordinal), 14, "admissionProfiles[0].actions[3]", "'backfill' is named twice in profile kai-order"),
        new("An empty action list is rejected", "admissionProfiles:\n  - {name: mine, actions: []}\n", 13, "actions", "admissionProfiles[0].actions is empty"),
        new("A profile without actions is rejected", "admissionProfiles:\n  - {name: mine}\n", 13, "actions", "has no 'actions'; list them in the order they run, allocate first"),
        new("A profile without a name is rejected", "admissionProfiles:\n  - {actions: [allocate]}\n", 13, "name", "admissionProfiles[0] has no 'name'"),
        new("A name of a built-in profile is rejected", "admissionProfiles:\n  - {name: fair-share, actions: [allocate]}\n", 13, "name", "'fair-share' is a built-in profile; give your profile another name"),
        new("A profile defined twice is rejected", Own + "  - {name: kai-order, actions: [allocate]}\n", 16, "name", "admissionProfiles[1]: profile 'kai-order' is defined twice (first at line 13)"),
        new("A name the command line could not pass is rejected", "admissionProfiles:\n  - {name: 'a,b', actions: [allocate]}\n", 13, "name", "'a,b' cannot name a profile"),
        new("An unknown order is rejected", Own.Replace("order: fifo", "order: random", StringComparison.Ordinal), 15, "order", "unknown value 'random' for 'order' in admissionProfiles[0]; write one of fair-share, fifo"),
        new("An unknown queueing override is rejected", Own + "    queueing: lifo\n", 16, "queueing", "write one of strict-fifo, besteffort-fifo"),
        new("A misspelt profile field is rejected with a suggestion", Own + "    action: [allocate]\n", 16, "action", "did you mean 'actions'"),
        new("A profiles list naming an undefined profile lists the scenario's own", Own + "profiles: [kai]\n", 16, "profiles", "unknown profile 'kai'; choose among kube-default, strict-fifo"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_BadProfile_NamesLineFieldAndFix(Bad bad)
    {
        Assert.NotNull(ScenarioReader.Read(File, Body + Own));

        var e = Assert.Throws<InputException>(() => ScenarioReader.Read(File, Body + bad.Text));

        Assert.Equal((File, bad.Line, bad.Field), (e.File, e.Line, e.Field));
        Assert.Contains(bad.Mentions, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:{bad.Line}: field '{bad.Field}': ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UndefinedProfileInList_ListsTheScenariosOwnProfiles()
    {
        var e = Assert.Throws<InputException>(() => ScenarioReader.Read(File, Body + Own + "profiles: [kai]\n"));

        Assert.Contains("or one this scenario defines under admissionProfiles: kai-order", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OwnProfile_IsDataResolvedBeforeTheBuiltInOnes()
    {
        var scenario = ScenarioReader.Read(File, Body + Own + "    queueing: strict-fifo\nprofiles: [fair-share, kai-order]\n");

        var own = Assert.Single(scenario.OwnProfiles);
        Assert.Equal(("kai-order", CandidateOrder.Fifo, (QueueingStrategy?)QueueingStrategy.StrictFifo), (own.Name, own.Order, own.StrategyOverride));
        Assert.Equal(["allocate", "backfill", "reclaim", "consolidate", "preempt"], own.Actions);
        Assert.Equal(["fair-share", "kai-order"], scenario.Profiles);
        Assert.Same(own, ScenarioProfiles.Get(scenario, "kai-order"));
        Assert.Same(AdmissionProfiles.Get("fair-share"), ScenarioProfiles.Get(scenario, "fair-share"));
        Assert.Equal([.. AdmissionProfiles.Names, "kai-order"], ScenarioProfiles.Names(scenario));
    }

    [Fact]
    public void Read_BadProfile_ChangesNothingElsewhere()
    {
        Assert.Throws<InputException>(() => ScenarioReader.Read(File, Body + Own + "  - {name: broken, actions: [allocate, steal]}\n"));

        // Nothing is registered globally: the built-in list is untouched and another scenario does not know either name.
        Assert.False(AdmissionProfiles.IsKnown("kai-order"));
        var plain = ScenarioReader.Read(File, Body);
        Assert.Empty(plain.OwnProfiles);
        Assert.False(ScenarioProfiles.IsKnown(plain, "kai-order"));
        Assert.Throws<ArgumentException>(() => ScenarioProfiles.Get(plain, "kai-order"));
    }
}
