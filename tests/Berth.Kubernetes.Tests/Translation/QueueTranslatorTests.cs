using Berth.Kubernetes.Api;
using Berth.Kubernetes.Translation;
using Berth.Model;
using Berth.Model.Queueing;
using CsCheck;
using k8s.Models;
using ApiCohort = Berth.Kubernetes.Api.Cohort;
using ApiFlavor = Berth.Kubernetes.Api.Flavor;
using ApiQueue = Berth.Kubernetes.Api.Queue;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class QueueTranslatorTests
{
    /// <summary>
    /// A cluster of valid objects (flavors a100 and h100, cohort org, queue ok) plus one bad object; the bad
    /// object's verdict must carry <see cref="Reason"/> and <see cref="Message"/>, and the valid ones must stay in.
    /// </summary>
    public sealed record BadObject(string Name, string Kind, object Object, string Reason, string Message)
    {
        public override string ToString() => Name;
    }

    private static ApiQueue BadQueue(Func<QueueSpec, QueueSpec> change)
    {
        var queue = Objects.QueueOf("bad", "org");
        queue.Spec = change(queue.Spec);
        return queue;
    }

    public static TheoryData<BadObject> BadObjects => new()
    {
        new("A negative GPU nominal quota names the field and asks for 0 or more", "Queue", BadQueue(s => s with { Flavors = [Objects.Gpu("a100", "-2")] }),
            ConditionReasons.InvalidSpec, "spec.flavors[0].resources.gpu.nominalQuota is -2; it must be 0 or more"),
        new("A negative borrowing limit names the field", "Queue", BadQueue(s => s with { Flavors = [Objects.Gpu("a100", "8", borrowing: "-1")] }),
            ConditionReasons.InvalidSpec, "spec.flavors[0].resources.gpu.borrowingLimit is -1; it must be 0 or more"),
        new("A GPU quota that is not a quantity names the field and shows quantities", "Queue", BadQueue(s => s with { Flavors = [Objects.Gpu("a100", "eight")] }),
            ConditionReasons.InvalidSpec, "spec.flavors[0].resources.gpu.nominalQuota is 'eight', which is not a Kubernetes quantity; write an amount such as 8"),
        new("A memory quota in GB (not a Kubernetes suffix) is not a quantity", "Queue", BadQueue(s => s with { Flavors = [Objects.Quota("a100", gpu: "8"), Objects.Quota("h100", memory: "16GB")] }),
            ConditionReasons.InvalidSpec, "spec.flavors[1].resources.memory.nominalQuota is '16GB', which is not a Kubernetes quantity; write an amount such as 256Gi"),
        new("A resource without nominalQuota asks for it", "Queue", BadQueue(s => s with { Flavors = [new FlavorQuotaSpec { Name = "a100", Resources = new FlavorResourcesSpec { Cpu = new ResourceQuotaSpec { BorrowingLimit = "4" } } }] }),
            ConditionReasons.InvalidSpec, "spec.flavors[0].resources.cpu.nominalQuota is missing"),
        new("A lending limit above the nominal quota is refused", "Queue", BadQueue(s => s with { Flavors = [Objects.Gpu("a100", "2", lending: "4")] }),
            ConditionReasons.InvalidSpec, "spec.flavors[0].resources.gpu.lendingLimit 4 is above nominalQuota 2"),
        new("A flavor listed twice is refused", "Queue", BadQueue(s => s with { Flavors = [Objects.Gpu("a100", "2"), Objects.Gpu("a100", "4")] }),
            ConditionReasons.InvalidSpec, "spec.flavors[1].name: flavor 'a100' is listed twice"),
        new("An unknown cohort is named", "Queue", Objects.QueueOf("bad", "nope"),
            ConditionReasons.UnknownCohort, "spec.cohort: cohort 'nope' does not exist; create the Cohort or remove the field"),
        new("An unknown flavor is named with its index", "Queue", Objects.QueueOf("bad", "org", Objects.Gpu("a100", "1"), Objects.Gpu("h200", "8")),
            ConditionReasons.UnknownFlavor, "spec.flavors[1].name: flavor 'h200' does not exist; create the Flavor or fix the name"),
        new("An unknown queueing strategy lists the choices", "Queue", BadQueue(s => s with { QueueingStrategy = "FIFO" }),
            ConditionReasons.InvalidSpec, "spec.queueingStrategy is 'FIFO'; write one of BestEffortFIFO, StrictFIFO"),
        new("An unknown stop policy lists the choices", "Queue", BadQueue(s => s with { StopPolicy = "Pause" }),
            ConditionReasons.InvalidSpec, "spec.stopPolicy is 'Pause'; write one of None, Hold, HoldAndDrain"),
        new("An unknown reclaim policy lists the choices", "Queue", BadQueue(s => s with { Preemption = new QueuePreemptionSpec { ReclaimWithinCohort = "Some" } }),
            ConditionReasons.InvalidSpec, "spec.preemption.reclaimWithinCohort is 'Some'; write one of Never, LowerPriority, Any"),
        new("A minimum runtime that is not a duration shows durations", "Queue", BadQueue(s => s with { MinRuntime = "ten minutes" }),
            ConditionReasons.InvalidSpec, "spec.minRuntime is 'ten minutes', which is not a duration; write a duration such as 90s"),
        new("An idle threshold above 1 names spec.idleGpus.below and the range", "Queue", BadQueue(s => s with { IdleGpus = new IdleGpusSpec { Below = 5 } }),
            ConditionReasons.InvalidSpec, "spec.idleGpus.below is 5; give the highest GPU activity that counts as idle, from 0 to 1 (0.05 for 5%)"),
        new("An unknown idle action lists the choices", "Queue", BadQueue(s => s with { IdleGpus = new IdleGpusSpec { Action = "Kill" } }),
            ConditionReasons.InvalidSpec, "spec.idleGpus.action is 'Kill'; write one of Notify, PreemptFirst, Reclaim"),
        new("An idle time that is not a duration shows durations", "Queue", BadQueue(s => s with { IdleGpus = new IdleGpusSpec { After = "soon" } }),
            ConditionReasons.InvalidSpec, "spec.idleGpus.after is 'soon', which is not a duration"),
        new("A zero idle time is refused naming spec.idleGpus.after", "Queue", BadQueue(s => s with { IdleGpus = new IdleGpusSpec { After = "0s" } }),
            ConditionReasons.InvalidSpec, "spec.idleGpus.after is '0s'; give how long a workload must hold its GPUs before it can count as idle"),
        new("A zero weight gets the model's message on spec.weight", "Queue", BadQueue(s => s with { Weight = 0 }),
            ConditionReasons.InvalidSpec, "spec.weight: weight is 0; a fair-share weight must be a positive number"),
        new("A negative disruption budget gets the model's message", "Queue", BadQueue(s => s with { DisruptionBudget = -1 }),
            ConditionReasons.InvalidSpec, "spec.disruptionBudget: disruptionBudget is -1; give 0 or more"),
        new("A queue without flavors gets the model's message", "Queue", BadQueue(s => s with { Flavors = [] }),
            ConditionReasons.InvalidSpec, "spec.flavors: has no flavors; list at least one flavor with its quota"),
        new("A cohort with a negative quota names the field", "Cohort", Objects.CohortOf("bad", flavors: [Objects.Gpu("a100", "-8")]),
            ConditionReasons.InvalidSpec, "spec.flavors[0].resources.gpu.nominalQuota is -8; it must be 0 or more"),
        new("A cohort with an unknown parent names it", "Cohort", Objects.CohortOf("bad", parent: "nope"),
            ConditionReasons.UnknownCohort, "spec.parent: cohort 'nope' does not exist"),
        new("A cohort quota with an unknown flavor names it", "Cohort", Objects.CohortOf("bad", flavors: [Objects.Gpu("tpu", "8")]),
            ConditionReasons.UnknownFlavor, "spec.flavors[0].name: flavor 'tpu' does not exist"),
        new("A flavor toleration with an unknown operator names it", "Flavor", Objects.FlavorOf("bad", tolerations: [new V1Toleration { Key = "k", OperatorProperty = "Maybe" }]),
            ConditionReasons.InvalidSpec, "spec.tolerations[0] operator is 'Maybe'; write Equal or Exists"),
        new("A flavor topology level named twice names spec.topologyLevels", "Flavor", Objects.FlavorOf("bad") with { Spec = new FlavorSpec { TopologyLevels = ["rack", "topology.berth.io/rack"] } },
            ConditionReasons.InvalidSpec, "spec.topologyLevels has an empty or repeated level"),
        new("A flavor toleration with an unknown effect names it", "Flavor", Objects.FlavorOf("bad", tolerations: [new V1Toleration { Key = "k", OperatorProperty = "Exists", Effect = "Never" }]),
            ConditionReasons.InvalidSpec, "spec.tolerations[0] effect is 'Never'"),
    };

    [Theory]
    [MemberData(nameof(BadObjects))]
    public void Translate_BadObject_NamesFieldAndLeavesOthersValid(BadObject bad)
    {
        var flavors = new List<ApiFlavor> { Objects.FlavorOf("a100"), Objects.FlavorOf("h100") };
        var cohorts = new List<ApiCohort> { Objects.CohortOf("org") };
        var queues = new List<ApiQueue> { Objects.QueueOf("ok", "org", Objects.Gpu("a100", "8"), Objects.Gpu("h100", "4")) };
        switch (bad.Object)
        {
            case ApiFlavor f: flavors.Add(f); break;
            case ApiCohort c: cohorts.Add(c); break;
            case ApiQueue q: queues.Add(q); break;
        }

        var result = QueueTranslator.Translate(flavors, cohorts, queues);

        var verdict = result.Verdict(bad.Kind, "bad")!;
        Assert.False(verdict.Ready);
        Assert.Equal(bad.Reason, verdict.Reason);
        Assert.StartsWith(bad.Message, verdict.Message, StringComparison.Ordinal);
        Assert.Equal(["a100", "h100"], result.Configuration.Flavors.Select(f => f.Name));
        Assert.Equal(["org"], result.Configuration.Cohorts.Select(c => c.Name));
        Assert.Equal(["ok"], result.Configuration.Queues.Select(q => q.Name));
        Assert.Single(result.Invalid);
    }

    [Fact]
    public void Translate_CohortCycle_InvalidatesCycleAndEverythingUnderIt()
    {
        var flavors = new[] { Objects.FlavorOf("a100") };
        var cohorts = new[] { Objects.CohortOf("a", parent: "b"), Objects.CohortOf("b", parent: "a"), Objects.CohortOf("c", parent: "a"), Objects.CohortOf("d"), Objects.CohortOf("self", parent: "self") };
        var queues = new[] { Objects.QueueOf("qa", "a"), Objects.QueueOf("qc", "c"), Objects.QueueOf("qd", "d"), Objects.QueueOf("alone") };

        var result = QueueTranslator.Translate(flavors, cohorts, queues);

        Assert.Equal(ConditionReasons.CohortCycle, result.Verdict("Cohort", "a")!.Reason);
        Assert.Equal(ConditionReasons.CohortCycle, result.Verdict("Cohort", "b")!.Reason);
        Assert.Contains("(a -> b -> a)", result.Verdict("Cohort", "a")!.Message, StringComparison.Ordinal);
        Assert.Contains("(self -> self)", result.Verdict("Cohort", "self")!.Message, StringComparison.Ordinal);
        Assert.Equal(ConditionReasons.CohortNotReady, result.Verdict("Cohort", "c")!.Reason);
        Assert.Equal(ConditionReasons.CohortNotReady, result.Verdict("Queue", "qa")!.Reason);
        Assert.Equal(ConditionReasons.CohortNotReady, result.Verdict("Queue", "qc")!.Reason);
        Assert.Equal("spec.cohort: cohort 'a' is not Ready (CohortCycle); fix that cohort first", result.Verdict("Queue", "qa")!.Message);
        Assert.Equal(["d"], result.Configuration.Cohorts.Select(c => c.Name));
        Assert.Equal(["alone", "qd"], result.Configuration.Queues.Select(q => q.Name));
    }

    [Fact]
    public void Translate_QueueUnderInvalidCohortOrFlavor_IsNotReadyAndSaysWhich()
    {
        var flavors = new[] { Objects.FlavorOf("a100"), Objects.FlavorOf("broken", tolerations: [new V1Toleration { OperatorProperty = "Equal" }]) };
        var cohorts = new[] { Objects.CohortOf("org", flavors: [Objects.Gpu("a100", "-1")]), Objects.CohortOf("child", parent: "org") };
        var queues = new[] { Objects.QueueOf("under-org", "org"), Objects.QueueOf("under-child", "child"), Objects.QueueOf("on-broken", null, Objects.Gpu("broken", "1")) };

        var result = QueueTranslator.Translate(flavors, cohorts, queues);

        Assert.Equal(ConditionReasons.CohortNotReady, result.Verdict("Cohort", "child")!.Reason);
        Assert.Equal(ConditionReasons.CohortNotReady, result.Verdict("Queue", "under-org")!.Reason);
        Assert.Equal(ConditionReasons.CohortNotReady, result.Verdict("Queue", "under-child")!.Reason);
        Assert.Equal(ConditionReasons.FlavorNotReady, result.Verdict("Queue", "on-broken")!.Reason);
        Assert.Contains("spec.tolerations[0] has no key with operator Equal", result.Verdict("Flavor", "broken")!.Message, StringComparison.Ordinal);
        Assert.Empty(result.Configuration.Queues);
        Assert.Equal(["a100"], result.Configuration.Flavors.Select(f => f.Name));
    }

    [Fact]
    public void Translate_FlavorTopologyLevels_AreLabelKeysWidestFirst()
    {
        var flavor = Objects.FlavorOf("a100") with { Spec = new FlavorSpec { TopologyLevels = ["block", "rack", "kubernetes.io/hostname"] } };
        var result = QueueTranslator.Translate([flavor], [], []);
        Assert.Equal([TopologyKeys.Block, TopologyKeys.Rack, TopologyKeys.Hostname], result.Configuration.Flavors.Single().TopologyLevels);
    }

    [Fact]
    public void Translate_FlavorSpot_IsReadAndDefaultsToFalse()
    {
        var spot = Objects.FlavorOf("spot") with { Spec = new FlavorSpec { Spot = true } };
        var result = QueueTranslator.Translate([spot, Objects.FlavorOf("a100")], [], []);
        Assert.Equal([true, false], result.Configuration.Flavors.OrderByDescending(f => f.Name, StringComparer.Ordinal).Select(f => f.Spot));
    }

    [Fact]
    public void Translate_FullQueue_MapsEveryFieldInModelUnits()
    {
        var flavors = new[]
        {
            Objects.FlavorOf("a100", new Dictionary<string, string> { ["pool"] = "a100" }, [new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }]),
            Objects.FlavorOf("spot"),
        };
        var cohorts = new[] { Objects.CohortOf("root"), Objects.CohortOf("org", parent: "root", flavors: [Objects.Gpu("spot", "4")]) with { Spec = new CohortSpec { Parent = "root", Weight = 2, Flavors = [Objects.Gpu("spot", "4")] } } };
        var queue = Objects.QueueOf("team-a", "org") with
        {
            Spec = new QueueSpec
            {
                Cohort = "org",
                Flavors =
                [
                    new FlavorQuotaSpec
                    {
                        Name = "a100",
                        Resources = new FlavorResourcesSpec
                        {
                            Gpu = new ResourceQuotaSpec { NominalQuota = "8", BorrowingLimit = "2", LendingLimit = "500m" },
                            Cpu = new ResourceQuotaSpec { NominalQuota = "500m" },
                            Memory = new ResourceQuotaSpec { NominalQuota = "16Gi" },
                        },
                    },
                    Objects.Gpu("spot", "0.5"),
                ],
                Weight = 3,
                Priority = 7,
                QueueingStrategy = "StrictFIFO",
                StopPolicy = "HoldAndDrain",
                Preemption = new QueuePreemptionSpec { WithinQueue = "LowerOrNewerEqualPriority", ReclaimWithinCohort = "LowerPriority", FairShare = true },
                FlavorFungibility = new FlavorFungibilitySpec { BorrowBeforeNextFlavor = true, PreemptBeforeNextFlavor = false },
                MinRuntime = "10m",
                DisruptionBudget = 2,
                DisruptionWindow = "30m",
                AdmissionChecks = ["provisioning", "provisioning"],
                IdleGpus = new IdleGpusSpec { After = "20m", Below = 0.1, Action = "Reclaim", Grace = "5m" },
            },
        };

        var result = QueueTranslator.Translate(flavors, cohorts, [queue]);

        Assert.Empty(result.Invalid);
        var q = Assert.Single(result.Configuration.Queues);
        Assert.Equal("org", q.Cohort);
        Assert.Equal(["a100", "spot"], q.Flavors.Select(f => f.Flavor));
        Assert.Equal(new ResourceQuota(8000, 2000, 500), q.Flavors[0].Gpu);
        Assert.Equal(new ResourceQuota(500), q.Flavors[0].Cpu);
        Assert.Equal(new ResourceQuota(16384), q.Flavors[0].Memory);
        Assert.Equal(new ResourceQuota(500), q.Flavors[1].Gpu);
        Assert.Null(q.Flavors[1].Cpu);
        Assert.Equal(3, q.Weight);
        Assert.Equal(7, q.Priority);
        Assert.Equal(QueueingStrategy.StrictFifo, q.Strategy);
        Assert.Equal(StopPolicy.HoldAndDrain, q.Stop);
        Assert.Equal(new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerOrNewerEqualPriority, Reclaim = ReclaimPolicy.LowerPriority, FairShare = true }, q.Preemption);
        Assert.Equal(new FlavorFungibility { BorrowBeforeNextFlavor = true }, q.Fungibility);
        Assert.Equal(TimeSpan.FromMinutes(10), q.MinRuntime);
        Assert.Equal(2, q.DisruptionBudget);
        Assert.Equal(TimeSpan.FromMinutes(30), q.DisruptionWindow);
        Assert.Equal(["provisioning"], q.AdmissionChecks);
        Assert.Equal(new IdleGpuPolicy { After = TimeSpan.FromMinutes(20), Below = 0.1, Action = IdleAction.Reclaim, Grace = TimeSpan.FromMinutes(5) }, q.IdleGpus);
        Assert.Equal(["provisioning"], result.Configuration.AdmissionChecks.Select(c => c.Name));
        var org = result.Configuration.Cohorts.Single(c => c.Name == "org");
        Assert.Equal("root", org.Parent);
        Assert.Equal(2, org.Weight);
        Assert.Equal(new ResourceQuota(4000), org.Quotas.Single().Gpu);
        var a100 = result.Configuration.Flavors[0];
        Assert.Equal("a100", a100.NodeLabels["pool"]);
        Assert.Equal(new Toleration("nvidia.com/gpu", TolerationOperator.Exists, null, TaintEffect.NoSchedule), Assert.Single(a100.Tolerations));
    }

    [Fact]
    public void Translate_QueueDefaults_AreTheModelDefaults()
    {
        var result = QueueTranslator.Translate([Objects.FlavorOf("a100")], [], [Objects.QueueOf("q")]);

        var q = Assert.Single(result.Configuration.Queues);
        var defaults = new Berth.Model.Queueing.Queue("q");
        Assert.Null(q.Cohort);
        Assert.Equal(defaults.Weight, q.Weight);
        Assert.Equal(defaults.Strategy, q.Strategy);
        Assert.Equal(defaults.Stop, q.Stop);
        Assert.Equal(defaults.Preemption, q.Preemption);
        Assert.Equal(defaults.Fungibility, q.Fungibility);
        Assert.Equal(defaults.MinRuntime, q.MinRuntime);
        Assert.Equal(defaults.DisruptionWindow, q.DisruptionWindow);
        Assert.Null(q.DisruptionBudget);
        Assert.Null(q.IdleGpus);
    }

    [Fact]
    public void Translate_ValidObject_GivesReadyConditionWithGeneration()
    {
        var result = QueueTranslator.Translate([Objects.FlavorOf("a100")], [], [Objects.QueueOf("q")]);

        var condition = result.Verdict("Queue", "q")!.ToCondition(new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal(ConditionTypes.Ready, condition.Type);
        Assert.Equal("True", condition.Status);
        Assert.Equal(ConditionReasons.Valid, condition.Reason);
        Assert.Equal(3, condition.ObservedGeneration);
        Assert.Equal(new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc), condition.LastTransitionTime);
        Assert.Equal("False", QueueTranslator.Translate([], [], [Objects.QueueOf("q")]).Verdict("Queue", "q")!.ToCondition(default).Status);
    }

    [Fact]
    public void Translate_DuplicateName_KeepsOneAndReportsTheOther()
    {
        var first = Objects.QueueOf("q", null, Objects.Gpu("a100", "1"));
        first.Metadata.Uid = "1";
        var second = Objects.QueueOf("q", null, Objects.Gpu("a100", "2"));
        second.Metadata.Uid = "2";

        var result = QueueTranslator.Translate([Objects.FlavorOf("a100")], [], [second, first]);

        Assert.Equal(1000, Assert.Single(result.Configuration.Queues).Flavors[0].Gpu!.Nominal);
        Assert.Contains(result.Verdicts, v => v.Reason == ConditionReasons.DuplicateName && v.Name == "q");
    }

    [Fact]
    public void Translate_ShuffledInput_GivesTheSameResult()
    {
        var flavors = new[] { Objects.FlavorOf("a100"), Objects.FlavorOf("h100"), Objects.FlavorOf("bad", tolerations: [new V1Toleration { OperatorProperty = "Nope" }]) };
        var cohorts = new[] { Objects.CohortOf("root"), Objects.CohortOf("org", "root"), Objects.CohortOf("x", "y"), Objects.CohortOf("y", "x") };
        var queues = Enumerable.Range(0, 12).Select(i => Objects.QueueOf($"q{i:00}", i % 3 == 0 ? "org" : i % 3 == 1 ? "x" : null, Objects.Gpu(i % 2 == 0 ? "a100" : "h100", (i - 2).ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToArray();
        var expected = QueueTranslator.Translate(flavors, cohorts, queues);

        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var result = QueueTranslator.Translate(flavors.OrderBy(_ => random.Next()).ToArray(), cohorts.OrderBy(_ => random.Next()).ToArray(), queues.OrderBy(_ => random.Next()).ToArray());

            Assert.Equal(expected.Verdicts, result.Verdicts);
            Assert.Equal(expected.Configuration.Queues.Select(q => q.Name), result.Configuration.Queues.Select(q => q.Name));
            Assert.Equal(expected.Configuration.Cohorts.Select(c => c.Name), result.Configuration.Cohorts.Select(c => c.Name));
        }, iter: 50);
    }
}
