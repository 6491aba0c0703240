using Berth.Kubernetes.Api;
using Berth.Kubernetes.Translation;
using Berth.Model;
using Berth.Model.Queueing;
using CsCheck;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class WorkloadTranslatorTests
{
    private static readonly Dictionary<string, PriorityClass> Classes = new(StringComparer.Ordinal)
    {
        ["high"] = new PriorityClass("high", 1000) { Preemptible = false },
        ["low"] = new PriorityClass("low", -10),
    };

    private static V1Job Job(int? parallelism = 4, int? completions = null)
    {
        var template = Objects.PodOf("template");
        return new V1Job
        {
            Metadata = new V1ObjectMeta
            {
                Name = "train",
                NamespaceProperty = "ml",
                Labels = new Dictionary<string, string> { ["berth.dev/queue"] = "team-a" },
                Annotations = new Dictionary<string, string>(),
                CreationTimestamp = Objects.Epoch.UtcDateTime.AddMinutes(90),
            },
            Spec = new V1JobSpec
            {
                Parallelism = parallelism,
                Completions = completions,
                Suspend = true,
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta(), Spec = template.Spec with { Containers = [Objects.Container("8", "64Gi", gpus: 2)] } },
            },
        };
    }

    [Fact]
    public void FromJob_ParallelJob_IsOnePodSetOfParallelismPods()
    {
        var job = Job();
        job.Metadata.Annotations["berth.dev/expected-run-time"] = "2h";
        job.Spec.ActiveDeadlineSeconds = 4 * 3600;

        var result = WorkloadTranslator.FromJob(job, WorkloadTranslator.QueueOf(job.Metadata), Objects.Epoch);

        var workload = result.Workload!;
        Assert.True(result.IsValid, result.Message);
        Assert.Equal("job/ml/train", workload.Id);
        Assert.Equal("team-a", workload.Queue);
        var set = Assert.Single(workload.PodSets);
        Assert.Equal(("main", 4, 4), (set.Name, set.Count, set.MinCount));
        Assert.Equal((8000L, 65536L, 2, 1000), (set.Template.CpuMilli, set.Template.MemoryMiB, set.Template.GpuCount, set.Template.GpuMilli));
        Assert.Equal(TimeSpan.FromMinutes(90), workload.SubmitTime);
        Assert.Equal(TimeSpan.FromHours(2), workload.ExpectedRunTime);
        Assert.Equal(TimeSpan.FromHours(4), workload.MaxRunTime);
        Assert.Equal(0, workload.Priority);
        Assert.True(workload.Preemptible);
    }

    [Theory]
    [InlineData(null, null, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(3, 10, 3)]
    public void FromJob_ParallelismAndCompletions_GiveTheCount(int? parallelism, int? completions, int count)
    {
        var result = WorkloadTranslator.FromJob(Job(parallelism, completions), "q", Objects.Epoch);

        Assert.Equal(count, result.Workload!.PodSets[0].Count);
    }

    [Fact]
    public void FromJob_MinParallelismAnnotation_MakesItElastic()
    {
        var job = Job();
        job.Metadata.Annotations["berth.dev/min-parallelism"] = "2";

        var workload = WorkloadTranslator.FromJob(job, "q", Objects.Epoch).Workload!;

        Assert.Equal(2, workload.PodSets[0].MinCount);
        Assert.True(workload.IsElastic);
    }

    [Fact]
    public void FromJob_PriorityClass_GivesPriorityAndPreemptible()
    {
        var job = Job();
        job.Spec.Template.Spec.PriorityClassName = "high";

        var workload = WorkloadTranslator.FromJob(job, "q", Objects.Epoch, Classes).Workload!;

        Assert.Equal(1000, workload.Priority);
        Assert.Equal(1000, workload.PodSets[0].Template.Priority);
        Assert.False(workload.Preemptible);
    }

    [Fact]
    public void FromJob_PreemptibleAnnotation_WinsOverTheClass()
    {
        var job = Job();
        job.Spec.Template.Spec.PriorityClassName = "high";
        job.Metadata.Annotations["berth.dev/preemptible"] = "true";

        Assert.True(WorkloadTranslator.FromJob(job, "q", Objects.Epoch, Classes).Workload!.Preemptible);
    }

    [Theory]
    [InlineData("kueue.x-k8s.io/podset-required-topology", "cloud.example.com/topology-block", "cloud.example.com/topology-block", null)]
    [InlineData("kueue.x-k8s.io/podset-preferred-topology", "kubernetes.io/hostname", null, "kubernetes.io/hostname")]
    [InlineData("kueue.x-k8s.io/podset-preferred-topology", "rack", null, TopologyKeys.Rack)]
    public void FromJob_KueueTopologyAnnotation_GivesTheRequiredKeyOrThePreferredLevel(string annotation, string value, string? required, string? preferred)
    {
        var job = Job();
        job.Spec.Template.Metadata.Annotations = new Dictionary<string, string> { [annotation] = value };
        var set = WorkloadTranslator.FromJob(job, "q", Objects.Epoch).Workload!.PodSets.Single();
        Assert.Equal(required, set.TopologyKey);
        Assert.Equal(preferred is null ? [] : [preferred], set.PreferredTopology);
        Assert.Null(WorkloadTranslator.FromJob(Job(), "q", Objects.Epoch).Workload!.PodSets.Single().TopologyKey);
    }

    /// <summary>A Job made invalid and the reason and words of the result.</summary>
    public sealed record BadJob(string Name, Action<V1Job> Change, string? Queue, string Reason, string Mentions)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<BadJob> BadJobs => new()
    {
        new("A Job without a queue asks for the queue label", _ => { }, null, ConditionReasons.NoQueue, "label it berth.dev/queue"),
        new("An unknown priority class is named", j => j.Spec.Template.Spec.PriorityClassName = "urgent", "q", ConditionReasons.UnknownPriorityClass, "priorityClassName 'urgent' is not a PriorityClass"),
        new("Parallelism 0 is refused", j => j.Spec.Parallelism = 0, "q", ConditionReasons.InvalidSpec, "spec.parallelism is 0"),
        new("A min parallelism above the count is refused", j => j.Metadata.Annotations["berth.dev/min-parallelism"] = "5", "q", ConditionReasons.InvalidSpec, "from 1 to 4"),
        new("A min parallelism that is not a number is refused", j => j.Metadata.Annotations["berth.dev/min-parallelism"] = "half", "q", ConditionReasons.InvalidSpec, "berth.dev/min-parallelism is 'half'"),
        new("A Job without a pod template is refused", j => j.Spec.Template = null, "q", ConditionReasons.InvalidSpec, "spec.template.spec is missing"),
        new("A pod asking for more GPUs than a node has is refused", j => j.Spec.Template.Spec.Containers = [Objects.Container(gpus: 20)], "q", ConditionReasons.InvalidSpec, "at most 16"),
        new("Both Kueue topology annotations are refused", j => j.Spec.Template.Metadata.Annotations = new Dictionary<string, string> { ["kueue.x-k8s.io/podset-required-topology"] = "block", ["kueue.x-k8s.io/podset-preferred-topology"] = "rack" }, "q", ConditionReasons.InvalidSpec, "sets both kueue.x-k8s.io/podset-required-topology and kueue.x-k8s.io/podset-preferred-topology; keep one"),
        new("A zero checkpoint interval gets the model's message", j => j.Metadata.Annotations["berth.dev/checkpoint-interval"] = "0s", "q", ConditionReasons.InvalidSpec, "checkpointInterval is 0"),
    };

    [Theory]
    [MemberData(nameof(BadJobs))]
    public void FromJob_BadJob_GivesReasonWithoutThrowing(BadJob bad)
    {
        var job = Job();
        bad.Change(job);

        var result = WorkloadTranslator.FromJob(job, bad.Queue, Objects.Epoch, Classes);

        Assert.False(result.IsValid);
        Assert.Null(result.Workload);
        Assert.Equal(bad.Reason, result.Reason);
        Assert.Contains(bad.Mentions, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJob_CreatedBeforeEpoch_SubmitsAtZeroWithAWarning()
    {
        var job = Job();
        job.Metadata.CreationTimestamp = Objects.Epoch.UtcDateTime.AddDays(-1);

        var result = WorkloadTranslator.FromJob(job, "q", Objects.Epoch);

        Assert.Equal(TimeSpan.Zero, result.Workload!.SubmitTime);
        Assert.Contains(result.Warnings, w => w.Contains("before the epoch", StringComparison.Ordinal));
    }

    private static PodView Member(string name, string group = "g", string ns = "ml", int gpus = 2, string cpu = "4", string? queue = "team-b", int priority = 0)
    {
        var pod = Objects.PodOf(name, ns, Objects.Container(cpu, "16Gi", gpus)).With("scheduling.x-k8s.io/pod-group", group);
        if (queue is not null)
        {
            pod.Metadata.Labels["berth.dev/queue"] = queue;
        }

        pod.Spec.Priority = priority;
        return PodTranslator.Translate(pod);
    }

    private static PodGroup Group(int? minMember, string? queue = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "g", NamespaceProperty = "ml", CreationTimestamp = Objects.Epoch.UtcDateTime.AddSeconds(30) },
        Spec = new PodGroupSpec { MinMember = minMember, Queue = queue },
    };

    [Fact]
    public void FromPodGroup_EightIdenticalPods_IsOneGangOfEight()
    {
        var members = Enumerable.Range(0, 8).Select(i => Member($"w-{7 - i}")).ToArray();

        var result = WorkloadTranslator.FromPodGroup(Group(8) with { Spec = new PodGroupSpec { MinMember = 8, ExpectedRunTime = "6h", CheckpointInterval = "30m", Topology = new TopologySpec { Key = "rack" } } }, members, Objects.Epoch);

        var workload = result.Workload!;
        Assert.True(result.IsValid, result.Message);
        Assert.Equal("podgroup/ml/g", workload.Id);
        Assert.Equal("team-b", workload.Queue);
        var set = Assert.Single(workload.PodSets);
        Assert.Equal(("w-0", 8, 8), (set.Name, set.Count, set.MinCount));
        Assert.Equal("w-0", set.Template.Name);
        Assert.Equal(TopologyKeys.Rack, set.TopologyKey);
        Assert.Equal(TimeSpan.FromSeconds(30), workload.SubmitTime);
        Assert.Equal(TimeSpan.FromHours(6), workload.ExpectedRunTime);
        Assert.Equal(TimeSpan.FromMinutes(30), workload.CheckpointInterval);
    }

    [Fact]
    public void FromPodGroup_LauncherAndWorkers_ArePodSetsByShapeWithMinMemberShared()
    {
        var members = Enumerable.Range(0, 8).Select(i => Member($"worker-{i}")).Append(Member("launcher", gpus: 0, cpu: "1")).ToArray();

        var result = WorkloadTranslator.FromPodGroup(Group(5), members, Objects.Epoch);

        var sets = result.Workload!.PodSets;
        Assert.Equal(["launcher", "worker-0"], sets.Select(s => s.Name));
        Assert.Equal([1, 8], sets.Select(s => s.Count));
        Assert.Equal([1, 4], sets.Select(s => s.MinCount));
        Assert.Equal(0, sets[0].Template.GpuCount);
        Assert.Equal(2, sets[1].Template.GpuCount);
    }

    [Fact]
    public void FromPodGroup_MoreMembersThanMinMember_IsElastic()
    {
        var members = Enumerable.Range(0, 8).Select(i => Member($"w-{i}")).ToArray();

        var set = WorkloadTranslator.FromPodGroup(Group(6), members, Objects.Epoch).Workload!.PodSets.Single();

        Assert.Equal((8, 6), (set.Count, set.MinCount));
    }

    [Fact]
    public void FromPodGroup_TerminalMembers_AreLeftOut()
    {
        var done = Objects.PodOf("w-9", "ml", Objects.Container("4", "16Gi", 2)).With("scheduling.x-k8s.io/pod-group", "g");
        done.Status.Phase = "Succeeded";
        var members = Enumerable.Range(0, 4).Select(i => Member($"w-{i}")).Append(PodTranslator.Translate(done)).ToArray();

        Assert.Equal(4, WorkloadTranslator.FromPodGroup(Group(4), members, Objects.Epoch).Workload!.PodCount);
    }

    [Fact]
    public void FromPodGroup_PriorityFromSpecClassOrMembers()
    {
        var members = new[] { Member("a", priority: 5), Member("b", priority: 50) };

        Assert.Equal(50, WorkloadTranslator.FromPodGroup(Group(2), members, Objects.Epoch).Workload!.Priority);
        Assert.Equal(7, WorkloadTranslator.FromPodGroup(Group(2) with { Spec = new PodGroupSpec { MinMember = 2, Priority = 7 } }, members, Objects.Epoch).Workload!.Priority);
        var jumping = WorkloadTranslator.FromPodGroup(Group(2) with { Spec = new PodGroupSpec { MinMember = 2, Priority = 1_000_000 } }, members, Objects.Epoch);
        Assert.Equal(50, jumping.Workload!.Priority); // a raw priority cannot raise a group above its class (issue 12, finding 4)
        Assert.Contains(jumping.Warnings, w => w.Contains("spec.priority 1000000", StringComparison.Ordinal));
        Assert.Equal(1000, WorkloadTranslator.FromPodGroup(Group(2) with { Spec = new PodGroupSpec { MinMember = 2, Priority = 2000, PriorityClassName = "high" } }, members, Objects.Epoch, Classes).Workload!.Priority);
        var byClass = WorkloadTranslator.FromPodGroup(Group(2) with { Spec = new PodGroupSpec { MinMember = 2, PriorityClassName = "high" } }, members, Objects.Epoch, Classes).Workload!;
        Assert.Equal((1000, false), (byClass.Priority, byClass.Preemptible));
        Assert.All(byClass.PodSets, s => Assert.Equal(1000, s.Template.Priority));
    }

    /// <summary>A pod group or its members made invalid, and the reason and words of the result.</summary>
    public sealed record BadGroup(string Name, PodGroup Group, PodView[] Members, string Reason, string Mentions)
    {
        public override string ToString() => Name;
    }

    private static PodView[] Members(int count, string? queue = "team-b") => Enumerable.Range(0, count).Select(i => Member($"w-{i}", queue: queue)).ToArray();

    public static TheoryData<BadGroup> BadGroups => new()
    {
        new("A negative minMember asks for 1 or more", Group(-1), Members(2), ConditionReasons.InvalidSpec, "spec.minMember is -1; it must be 1 or more"),
        new("A zero minMember asks for 1 or more", Group(0), Members(2), ConditionReasons.InvalidSpec, "spec.minMember is 0; it must be 1 or more"),
        new("A missing minMember asks for it", Group(null), Members(2), ConditionReasons.InvalidSpec, "spec.minMember is missing"),
        new("A minMember bigger than the group waits for the members", Group(8), Members(3), ConditionReasons.WaitingForMembers, "has 3 of its minMember 8 pods"),
        new("A member of another group is refused", Group(2), [Member("w-0"), Member("x", group: "other")], ConditionReasons.InvalidSpec, "belongs to pod group 'other'"),
        new("A member in another namespace is refused", Group(2), [Member("w-0"), Member("x", ns: "other")], ConditionReasons.InvalidSpec, "in namespace 'other'"),
        new("A member too big for any node is refused", Group(2), [Member("w-0"), Member("w-1", gpus: 17)], ConditionReasons.InvalidSpec, "member ml/w-1"),
        new("Members naming different queues are refused", Group(2), [Member("w-0", queue: "a"), Member("w-1", queue: "b")], ConditionReasons.InvalidSpec, "different queues (a, b)"),
        new("A group without any queue asks for one", Group(2), Members(2, queue: null), ConditionReasons.NoQueue, "set spec.queue"),
        new("An unknown priority class is named", Group(2) with { Spec = new PodGroupSpec { MinMember = 2, PriorityClassName = "urgent" } }, Members(2), ConditionReasons.UnknownPriorityClass, "'urgent'"),
        new("A run time that is not a duration is refused", Group(2) with { Spec = new PodGroupSpec { MinMember = 2, MaxRunTime = "forever" } }, Members(2), ConditionReasons.InvalidSpec, "spec.maxRunTime is 'forever'"),
        new("An unknown topology mode is refused", Group(2) with { Spec = new PodGroupSpec { MinMember = 2, Topology = new TopologySpec { Key = "rack", Mode = "Always" } } }, Members(2), ConditionReasons.InvalidSpec, "spec.topology.mode is 'Always'"),
    };

    [Theory]
    [MemberData(nameof(BadGroups))]
    public void FromPodGroup_BadInput_GivesReasonWithoutThrowing(BadGroup bad)
    {
        var result = WorkloadTranslator.FromPodGroup(bad.Group, bad.Members, Objects.Epoch, Classes);

        Assert.False(result.IsValid);
        Assert.Equal(bad.Reason, result.Reason);
        Assert.Contains(bad.Mentions, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPodGroup_PreferredTopology_IsAPreferredLevelNotARequiredOne()
    {
        var group = Group(2) with { Spec = new PodGroupSpec { MinMember = 2, Queue = "q", Topology = new TopologySpec { Key = "nvlink", Mode = "Preferred" } } };

        var workload = WorkloadTranslator.FromPodGroup(group, Members(2), Objects.Epoch).Workload!;

        Assert.Equal("q", workload.Queue);
        Assert.Null(workload.PodSets.Single().TopologyKey);
        Assert.Equal([TopologyKeys.NvlinkDomain], workload.PodSets.Single().PreferredTopology);
    }

    [Theory]
    [InlineData(new[] { 8 }, 8, new[] { 8 })]
    [InlineData(new[] { 8 }, 6, new[] { 6 })]
    [InlineData(new[] { 1, 8 }, 5, new[] { 1, 4 })]
    [InlineData(new[] { 4, 4 }, 4, new[] { 2, 2 })]
    [InlineData(new[] { 4, 4 }, 5, new[] { 3, 2 })]
    [InlineData(new[] { 3, 3, 3 }, 2, new[] { 1, 1, 1 })]
    [InlineData(new[] { 2, 3 }, 99, new[] { 2, 3 })]
    public void DistributeMinCount_Examples(int[] counts, int minMember, int[] expected)
    {
        Assert.Equal(expected, WorkloadTranslator.DistributeMinCount(counts, minMember));
    }

    [Fact]
    public void DistributeMinCount_AnyGroup_MinsWithinCountsAndSumToMinMember()
    {
        Gen.Int[1, 20].Array[1, 8].SelectMany(counts => Gen.Int[1, counts.Sum() + 5].Select(min => (counts, min))).Sample(c =>
        {
            var mins = WorkloadTranslator.DistributeMinCount(c.counts, c.min);

            Assert.All(mins.Zip(c.counts), p => Assert.InRange(p.First, 1, p.Second));
            Assert.Equal(Math.Clamp(c.min, c.counts.Length, c.counts.Sum()), mins.Sum());
        });
    }

    [Fact]
    public void FromPlainPod_LonePod_IsOnePodOfOneSet()
    {
        var pod = Objects.PodOf("notebook", "ml", Objects.Container("2", "16Gi")).With("berth.dev/queue", "team-a").With(annotation: "berth.dev/gpu-share", annotationValue: "500");

        var result = WorkloadTranslator.FromPlainPod(PodTranslator.Translate(pod), Objects.Epoch);

        var workload = result.Workload!;
        Assert.True(result.IsValid, result.Message);
        Assert.Equal("pod/ml/notebook", workload.Id);
        Assert.Equal("team-a", workload.Queue);
        var set = Assert.Single(workload.PodSets);
        Assert.Equal(("main", 1), (set.Name, set.Count));
        Assert.Equal((1, 500), (set.Template.GpuCount, set.Template.GpuMilli));
        Assert.Equal(TimeSpan.FromMinutes(5), workload.SubmitTime);
    }

    [Theory]
    [InlineData("scheduling.x-k8s.io/pod-group", "g", "berth", ConditionReasons.InvalidSpec, "belongs to pod group 'g'")]
    [InlineData("berth.dev/queue", "q", "default-scheduler", ConditionReasons.InvalidSpec, "schedulerName is 'default-scheduler'")]
    [InlineData("app", "x", "berth", ConditionReasons.NoQueue, "names no queue")]
    public void FromPlainPod_NotALonePodForBerth_GivesReason(string label, string value, string scheduler, string reason, string mentions)
    {
        var pod = Objects.PodOf("p").With(label, value);
        pod.Spec.SchedulerName = scheduler;

        var result = WorkloadTranslator.FromPlainPod(PodTranslator.Translate(pod), Objects.Epoch);

        Assert.Equal(reason, result.Reason);
        Assert.Contains(mentions, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PriorityClassLookup_ReadsValueAndPreemptibleAnnotation()
    {
        var classes = PriorityClassTranslator.Lookup(
        [
            new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "critical", Annotations = new Dictionary<string, string> { ["berth.dev/preemptible"] = "false" } }, Value = 100000 },
            new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "batch" }, Value = -5, PreemptionPolicy = "Never" },
        ]);

        Assert.Equal(new PriorityClass("critical", 100000) { Preemptible = false }, classes["critical"]);
        Assert.Equal(new PriorityClass("batch", -5), classes["batch"]);
    }
}
