using System.Text.Json.Nodes;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Frameworks;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>Job frameworks on the fake API server: each kind admitted as one gang by resuming it, its pods bound by Berth; bad ones left suspended with a reason.</summary>
public sealed class FrameworkAdmissionTests
{
    private static async Task<ControllerHarness> StartAsync(ControllerOptions? options = null, TimeProvider? time = null)
    {
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = [.. FakeApiServerOptions.BerthResources, .. FakeApiServerOptions.FrameworkResources], TimeProvider = time ?? TimeProvider.System });
        return await ControllerHarness.StartAsync(options, server: server, time: time);
    }

    private static JsonObject Read(ControllerHarness h, string kind, string name)
    {
        var f = FrameworkSamples.Of(kind);
        return h.Server.GetObject(f.Group, f.Version, f.Plural, name, Objects.Ns) ?? throw new InvalidOperationException($"{kind} {name} is gone");
    }

    private static bool Suspended(JsonObject obj, string kind) => JsonFields.At(obj, [.. FrameworkSamples.Of(kind).SuspendPath!])?.GetValue<bool>() == true;

    private static string? PendingReason(JsonObject obj) => JsonFields.Text(JsonFields.At(obj, "metadata", "annotations", DecisionPlanner.PendingReasonAnnotation));

    /// <summary>Does what the framework's controller would for a resumed object: makes its pods, with its labels and the flavor's node selector.</summary>
    private static async Task MakePodsAsync(ControllerHarness h, string kind, string name, int workers, int gpus)
    {
        if (kind == "RayJob")
        {
            var job = Read(h, kind, name);
            job["status"] = new JsonObject { ["rayClusterName"] = name + "-raycluster", ["jobDeploymentStatus"] = "Initializing" };
            h.Server.Seed(job);
        }

        foreach (var (podName, labels) in FrameworkSamples.Pods(kind, name, workers))
        {
            var pod = Objects.Pod(podName, gpus);
            foreach (var (key, value) in labels)
            {
                pod.Metadata.Labels[key] = value;
            }

            pod.Spec.NodeSelector = new Dictionary<string, string> { ["pool"] = "a100" };
            await h.Client.CoreV1.CreateNamespacedPodAsync(pod, Objects.Ns);
        }
    }

    [Theory]
    [MemberData(nameof(FrameworkSamples.SuspendKinds), MemberType = typeof(FrameworkSamples))]
    public async Task QueuedObject_IsAdmittedAsOneGang_ResumedWithTheFlavor_AndItsPodsBoundByBerth(string kind)
    {
        await using var h = await StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(FrameworkSamples.Build(kind, "train", "team-a", workers: 3, gpus: 4));

        var plan = await h.CycleAsync();

        var admission = Assert.Single(plan.JobAdmissions);
        Assert.Equal(kind, admission.Kind);
        Assert.Equal(4, admission.Record.Pods.Count); // every pod set at once: 1 + 3 pods of 4 GPUs
        Assert.Contains(plan.Outcomes, o => o.Kind == kind && o.Name == "train" && o.Running);
        var obj = Read(h, kind, "train");
        Assert.False(Suspended(obj, kind), $"{kind} is resumed");
        Assert.NotNull(JsonFields.At(obj, "metadata", "annotations", AdmissionRecord.AnnotationName));
        if (kind == "TrainJob")
        {
            Assert.Equal("a100", JsonFields.Text(JsonFields.At(obj, "spec", "podSpecOverrides", 0, "nodeSelector", "pool")));
            Assert.Equal("node", JsonFields.Text(JsonFields.At(obj, "spec", "podSpecOverrides", 0, "targetJobs", 0, "name")));
        }
        else
        {
            var sets = new List<FrameworkPodSet>();
            Assert.Null(FrameworkSamples.Of(kind).ReadPodSets(obj["spec"]!.AsObject(), sets));
            Assert.All(sets, s => Assert.Equal("a100", JsonFields.Text(JsonFields.At(s.Template, "spec", "nodeSelector", "pool"))));
        }

        await MakePodsAsync(h, kind, "train", workers: 3, gpus: 4);
        await h.RunUntilQuietAsync();

        var pods = h.Server.List<V1Pod>(Objects.Ns);
        Assert.Equal(4, pods.Count);
        Assert.All(pods, p => Assert.Contains(h.Server.Bindings, b => b.Pod == p.Metadata.Name));
        Assert.Equal(16, pods.GroupBy(p => p.Spec.NodeName).Sum(g => g.Count() * 4));
        Assert.False(Suspended(Read(h, kind, "train"), kind));
        Assert.Equal(1, h.Server.Get<Berth.Kubernetes.Api.Queue>("team-a")!.Status.AdmittedWorkloads);
    }

    [Theory]
    [MemberData(nameof(FrameworkSamples.SuspendKinds), MemberType = typeof(FrameworkSamples))]
    public async Task ObjectLargerThanWhatItsQueueHasLeft_StaysSuspended_WithAReason_NoPartOfItAdmitted(string kind)
    {
        await using var h = await StartAsync();
        h.SeedCluster(4, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(Objects.Job("hog", 1, 4, "team-a"));
        Assert.Single((await h.CycleAsync()).JobAdmissions);
        h.Server.Seed(FrameworkSamples.Build(kind, "big", "team-a", workers: 3, gpus: 4)); // 16 GPUs: 3 of its 4 pods would fit in the 12 left, and none may run

        var plan = await h.CycleAsync();
        await h.RunUntilQuietAsync();

        Assert.Empty(plan.JobAdmissions);
        var obj = Read(h, kind, "big");
        Assert.True(Suspended(obj, kind));
        Assert.Null(JsonFields.At(obj, "metadata", "annotations", AdmissionRecord.AnnotationName));
        Assert.StartsWith("QuotaExceeded", PendingReason(obj), StringComparison.Ordinal);
        Assert.Contains(h.Server.List<Corev1Event>(Objects.Ns), e => e.InvolvedObject.Kind == kind && e.InvolvedObject.Name == "big" && e.Reason == "QuotaExceeded");
    }

    [Theory]
    [InlineData("JobSet", "spec.replicatedJobs[1].template.spec.template.spec is missing")]
    [InlineData("PyTorchJob", "spec.pytorchReplicaSpecs.Worker.replicas is '\"three\"'")]
    [InlineData("TrainJob", "spec.runtimeRef.name is missing")]
    [InlineData("RayCluster", "spec.workerGroupSpecs[0].groupName is missing")]
    public async Task MalformedSpec_StaysSuspended_WithAReasonNamingTheField(string kind, string expected)
    {
        await using var h = await StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        var obj = FrameworkSamples.Build(kind, "bad", "team-a", workers: 1, gpus: 4);
        switch (kind)
        {
            case "JobSet":
                JsonFields.At(obj, "spec", "replicatedJobs", 1, "template", "spec")!.AsObject().Remove("template");
                break;
            case "PyTorchJob":
                JsonFields.At(obj, "spec", "pytorchReplicaSpecs", "Worker")!["replicas"] = "three";
                break;
            case "TrainJob":
                obj["spec"]!.AsObject().Remove("runtimeRef");
                break;
            default:
                JsonFields.At(obj, "spec", "workerGroupSpecs", 0)!.AsObject().Remove("groupName");
                break;
        }

        h.Server.Seed(obj);
        var before = Read(h, kind, "bad")["spec"]!.ToJsonString();
        var plan = await h.CycleAsync();
        await h.RunUntilQuietAsync();

        Assert.Empty(plan.JobAdmissions);
        var after = Read(h, kind, "bad");
        Assert.True(Suspended(after, kind));
        Assert.Equal(before, after["spec"]!.ToJsonString()); // its spec is as it was
        Assert.Contains(expected, PendingReason(after), StringComparison.Ordinal);
        Assert.StartsWith("InvalidSpec", PendingReason(after), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BerthsOwnQueueLabel_SelectsItToo_AndAnObjectWithoutOneIsLeftAlone()
    {
        await using var h = await StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        var berths = FrameworkSamples.Build("RayCluster", "labelled", "team-a", workers: 1, gpus: 4);
        berths["metadata"]!["labels"] = new JsonObject { [KubernetesNames.QueueLabel] = "team-a" };
        var free = FrameworkSamples.Build("RayCluster", "free", "team-a", workers: 1, gpus: 4);
        free["metadata"]!.AsObject().Remove("labels");
        h.Server.Seed(berths);
        h.Server.Seed(free);

        var plan = await h.CycleAsync();

        Assert.Equal("labelled", Assert.Single(plan.JobAdmissions).Name);
        Assert.True(Suspended(Read(h, "RayCluster", "free"), "RayCluster")); // not Berth's: not resumed, not annotated
        Assert.Null(PendingReason(Read(h, "RayCluster", "free")));
    }

    [Fact]
    public async Task ObjectCreatedRunning_IsSuspendedUntilItsQueueAdmitsIt()
    {
        await using var h = await StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        var obj = FrameworkSamples.Build("JobSet", "eager", "team-a", workers: 1, gpus: 4);
        obj["spec"]!["suspend"] = false;
        h.Server.Seed(obj);

        var first = await h.CycleAsync();
        Assert.Contains(first.Suspensions, s => s.Kind == "JobSet" && s.Name == "eager" && s.Reason == "NotAdmitted");
        Assert.True(Suspended(Read(h, "JobSet", "eager"), "JobSet"));

        var second = await h.CycleAsync();
        Assert.Equal("eager", Assert.Single(second.JobAdmissions).Name);
    }

    [Fact]
    public async Task AdmittedObject_PreemptedByHigherPriority_IsSuspendedAgain_AndItsRecordRemoved()
    {
        await using var h = await StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16", reclaim: "Never")); // preempts lower priorities within the queue
        h.Server.Seed(Objects.PriorityClass("low", 10));
        h.Server.Seed(Objects.PriorityClass("high", 1000));
        var low = FrameworkSamples.Build("PyTorchJob", "low", "team-a", workers: 3, gpus: 4);
        JsonFields.At(low, "spec", "pytorchReplicaSpecs", "Master", "template", "spec")!["priorityClassName"] = "low";
        h.Server.Seed(low);
        Assert.Single((await h.CycleAsync()).JobAdmissions);

        var high = FrameworkSamples.Build("PyTorchJob", "high", "team-a", workers: 1, gpus: 4);
        JsonFields.At(high, "spec", "pytorchReplicaSpecs", "Master", "template", "spec")!["priorityClassName"] = "high";
        h.Server.Seed(high);
        var plan = await h.CycleAsync();

        Assert.Contains(plan.Suspensions, s => s.Kind == "PyTorchJob" && s.Name == "low");
        var victim = Read(h, "PyTorchJob", "low");
        Assert.True(Suspended(victim, "PyTorchJob"));
        Assert.Null(JsonFields.At(victim, "metadata", "annotations", AdmissionRecord.AnnotationName));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UnknownApiVersion_GetsAReasonNamingTheFieldAndTheFix_AndNothingChanges(bool suspended)
    {
        var json = FrameworkSamples.Build("JobSet", "future", "team-a", workers: 1, gpus: 4);
        json["apiVersion"] = "jobset.x-k8s.io/v9";
        json["spec"]!["suspend"] = suspended;
        json["metadata"]!["uid"] = "uid-future";
        var snapshot = new ClusterSnapshot
        {
            Now = DateTimeOffset.UnixEpoch.AddDays(1),
            Nodes = [Objects.GpuNode("node-00", 8)],
            Flavors = [Objects.Flavor("a100", "a100")],
            Queues = [Objects.Queue("team-a", "a100", "16")],
            Frameworks = [KubernetesJson.Deserialize<FrameworkObject>(json.ToJsonString())],
        };

        var plan = DecisionPlanner.Plan(snapshot, new ControllerOptions());

        Assert.Empty(plan.JobAdmissions);
        Assert.Empty(plan.Suspensions); // not even one it finds running: Berth does not write a version it does not read
        Assert.Empty(plan.Bindings);
        var outcome = Assert.Single(plan.Outcomes, o => o.Id == "jobset/default/future");
        Assert.Equal("InvalidSpec", outcome.Code);
        Assert.Contains("apiVersion is jobset.x-k8s.io/v9", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("write apiVersion: jobset.x-k8s.io/v1alpha2", outcome.Message, StringComparison.Ordinal);
        Assert.Contains(plan.Events, e => e.About is { Kind: "JobSet", Name: "future" } && e.Message.Contains("apiVersion", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LeaderWorkerSet_EachCompleteGroupIsAGang_BoundWholeOrNotAtAll()
    {
        await using var h = await StartAsync();
        h.SeedCluster(4, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(FrameworkSamples.LeaderWorkerSet("serve", "team-a", replicas: 3, size: 2, gpus: 8)); // each group: 16 GPUs

        // The LeaderWorkerSet controller makes the pods: groups 0 and 1 whole, group 2 with its leader only so far.
        foreach (var (group, worker) in new[] { (0, 0), (0, 1), (1, 0), (1, 1), (2, 0) })
        {
            var pod = Objects.Pod($"serve-{group}-{worker}", gpus: 8);
            pod.Metadata.Labels["leaderworkerset.sigs.k8s.io/name"] = "serve";
            pod.Metadata.Labels[Frameworks.LeaderWorkerSet.LeaderWorkerSetFramework.GroupIndexLabel] = group.ToString(System.Globalization.CultureInfo.InvariantCulture);
            pod.Metadata.Labels[Frameworks.LeaderWorkerSet.LeaderWorkerSetFramework.WorkerIndexLabel] = worker.ToString(System.Globalization.CultureInfo.InvariantCulture);
            h.Server.Seed(pod);
        }

        await h.RunUntilQuietAsync();

        var bound = h.Server.List<V1Pod>(Objects.Ns).Where(p => p.Spec.NodeName is not null).Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["serve-0-0", "serve-0-1"], bound); // the queue's 16 GPUs hold one group; group 2 is not whole yet
        Assert.Equal("False", h.ReadPod("serve-1-0").Status?.Conditions?.Single(c => c.Type == "PodScheduled").Status);
        Assert.Null(h.ReadPod("serve-2-0").Spec.NodeName);
    }

    [Fact]
    public async Task LeaderWorkerSet_EachGroupIsAServingReplica_WithTheServingClassWhenItsTemplatesNameNone()
    {
        await using var h = await StartAsync();
        h.SeedCluster(4, 8, Objects.Queue("team-a", "a100", "32"));
        h.Server.Seed(Objects.PriorityClass(Berth.Kubernetes.Translation.ServingWorkloads.DefaultPriorityClass, 1000));
        h.Server.Seed(FrameworkSamples.LeaderWorkerSet("serve", "team-a", replicas: 2, size: 2, gpus: 8));
        foreach (var (group, worker) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
        {
            var pod = Objects.Pod($"serve-{group}-{worker}", gpus: 8);
            pod.Metadata.Labels["leaderworkerset.sigs.k8s.io/name"] = "serve";
            pod.Metadata.Labels[Frameworks.LeaderWorkerSet.LeaderWorkerSetFramework.GroupIndexLabel] = group.ToString(System.Globalization.CultureInfo.InvariantCulture);
            pod.Metadata.Labels[Frameworks.LeaderWorkerSet.LeaderWorkerSetFramework.WorkerIndexLabel] = worker.ToString(System.Globalization.CultureInfo.InvariantCulture);
            h.Server.Seed(pod);
        }

        var plan = await h.CycleAsync();

        Assert.Equal(4, plan.Bindings.Count);
        foreach (var g in new[] { 0, 1 })
        {
            var replica = plan.Engine!.Find($"leaderworkerset/{Objects.Ns}/serve/{g}")!.Workload;
            Assert.Equal($"leaderworkerset/{Objects.Ns}/serve", replica.ServingGroup);
            Assert.Equal(1000, replica.Priority);
        }
    }

    [Fact]
    public async Task LeaderWorkerSet_WhosePodsAreNotBerths_GetsAReasonNamingSchedulerName()
    {
        await using var h = await StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(FrameworkSamples.LeaderWorkerSet("serve", "team-a", replicas: 1, size: 2, gpus: 4, scheduler: "default-scheduler"));

        await h.RunUntilQuietAsync();

        var reason = PendingReason(h.Server.GetObject("leaderworkerset.x-k8s.io", "v1", "leaderworkersets", "serve", Objects.Ns)!);
        Assert.StartsWith("InvalidSpec", reason, StringComparison.Ordinal);
        Assert.Contains("spec.leaderWorkerTemplate.workerTemplate.spec.schedulerName is 'default-scheduler'", reason, StringComparison.Ordinal);
        Assert.Contains("set schedulerName: berth", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PodsReadyTimeout_ReadyPodsKeepItRunning_PodsNeverReadyRequeueIt(bool ready)
    {
        var time = new Berth.TestKit.ManualTime();
        await using var h = await StartAsync(new ControllerOptions { PodsReadyTimeout = TimeSpan.FromMilliseconds(300), BackoffBase = TimeSpan.FromSeconds(2) }, time);
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(FrameworkSamples.Build("JobSet", "train", "team-a", workers: 1, gpus: 4));
        Assert.Single((await h.CycleAsync()).JobAdmissions);
        await MakePodsAsync(h, "JobSet", "train", workers: 1, gpus: 4);
        Assert.Equal(2, (await h.CycleAsync()).Bindings.Count);
        if (ready)
        {
            foreach (var pod in h.Server.List<V1Pod>(Objects.Ns))
            {
                pod.Status.Conditions = [.. pod.Status.Conditions ?? [], new V1PodCondition { Type = "Ready", Status = "True" }];
                await h.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, Objects.Ns);
            }

            await h.CycleAsync();
        }

        time.Advance(0.4);
        var later = await h.CycleAsync();
        await h.SettleAsync();

        var obj = Read(h, "JobSet", "train");
        var annotations = JsonFields.At(obj, "metadata", "annotations")!.AsObject();
        if (ready)
        {
            Assert.Empty(later.Suspensions);
            Assert.False(Suspended(obj, "JobSet"));
            Assert.True(annotations.ContainsKey(KubernetesNames.PodsReadyAnnotation));
        }
        else
        {
            Assert.Equal(DecisionPlanner.GangNotReadyReason, Assert.Single(later.Suspensions).Reason);
            Assert.True(Suspended(obj, "JobSet"));
            Assert.Equal("1", JsonFields.Text(annotations[KubernetesNames.RequeuesAnnotation]));
        }
    }
}
