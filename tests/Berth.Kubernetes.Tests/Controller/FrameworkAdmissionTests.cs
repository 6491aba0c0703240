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
    private static async Task<ControllerHarness> StartAsync()
    {
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = [.. FakeApiServerOptions.BerthResources, .. FakeApiServerOptions.FrameworkResources] });
        return await ControllerHarness.StartAsync(server: server);
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
}
