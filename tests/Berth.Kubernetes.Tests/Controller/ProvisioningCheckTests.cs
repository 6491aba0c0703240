using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Frameworks;
using Berth.Kubernetes.Provisioning;
using Berth.TestKit;
using k8s;
using k8s.Models;

using static Berth.Kubernetes.Tests.Controller.ProvisioningSteps;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// Berth's provisioning admission check against a fake cluster autoscaler: the test plays the autoscaler by writing
/// the ProvisioningRequest's status conditions and adding nodes, as Kueue's provisioning check is driven.
/// </summary>
public sealed class ProvisioningCheckTests
{
    [Fact]
    public async Task GangThatFitsNoNode_GetsARequest_ThenIsAdmittedOnTheNewNodes()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h, new() { ["provisioningClassName"] = Class, ["parameters.ValidUntilSeconds"] = "600" });
        h.SeedGroup("train", 2, 2, 8);

        await h.CycleAsync();
        await h.SettleAsync();

        // One request for the gang's one pod set of two 8-GPU pods, owned by the PodGroup, with its PodTemplate.
        var request = Request(h, "train-gpu-capacity-1");
        Assert.Equal(Class, request["spec"]!["provisioningClassName"]!.GetValue<string>());
        Assert.Equal("600", request["spec"]!["parameters"]!["ValidUntilSeconds"]!.GetValue<string>());
        var podSet = Assert.Single(request["spec"]!["podSets"]!.AsArray())!;
        Assert.Equal(2, podSet["count"]!.GetValue<int>());
        Assert.Equal("PodGroup", request["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        var template = h.Server.Get<V1PodTemplate>(podSet["podTemplateRef"]!["name"]!.GetValue<string>(), Objects.Ns)!;
        Assert.Equal("8", template.Template.Spec.Containers[0].Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Null(template.Template.Spec.NodeName);
        Assert.StartsWith("Pending: ProvisioningRequest train-gpu-capacity-1 created", Annotation(h, "train", CheckStatus.AnnotationOf(Check)), StringComparison.Ordinal);
        Assert.Empty(h.Server.Bindings);

        // A second cycle with nothing new makes no second request.
        await h.NextCycleAsync(time);
        Assert.Single(Requests(h, "train"));

        // The request asks for the nodes: the waiting pods no longer say Unschedulable (no second scale-up for them).
        Assert.Equal("train-gpu-capacity-1", h.Server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations[KubernetesNames.ProvisioningRequestAnnotation]);
        Assert.NotEqual(DecisionPlanner.UnschedulableReason, h.ReadPod("train-0").Status.Conditions.Single(c => c.Type == "PodScheduled").Reason);

        // The autoscaler books the capacity and its nodes join.
        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Accepted", "True"), ("Provisioned", "True"));
        h.Server.Seed(Objects.GpuNode("scaled-0", 8));
        h.Server.Seed(Objects.GpuNode("scaled-1", 8));

        var bound = await h.CycleUntilBoundAsync(time, 2);

        Assert.Equal(["scaled-0", "scaled-1"], bound.Order(StringComparer.Ordinal));
        foreach (var pod in new[] { "train-0", "train-1" })
        {
            var annotations = h.ReadPod(pod).Metadata.Annotations;
            Assert.Equal("train-gpu-capacity-1", annotations[KubernetesNames.ConsumeProvisioningRequestAnnotation]);
            Assert.Equal(Class, annotations[KubernetesNames.ProvisioningClassNameAnnotation]);
        }

        Assert.StartsWith("Ready", Annotation(h, "train", CheckStatus.AnnotationOf(Check)), StringComparison.Ordinal);
        await h.NextCycleAsync(time);
        Assert.NotNull(Request(h, "train-gpu-capacity-1")["metadata"]!["annotations"]![ProvisioningRequestState.ConsumedAnnotation]);

        // The gang completes: its request and PodTemplate go.
        foreach (var pod in new[] { "train-0", "train-1" })
        {
            var done = new { status = new { phase = "Succeeded" } };
            await h.Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(JsonSerializer.Serialize(done), V1Patch.PatchType.MergePatch), pod, Objects.Ns);
        }

        for (var i = 0; i < 3 && Requests(h, "train").Count > 0; i++)
        {
            await h.NextCycleAsync(time);
        }

        Assert.Empty(Requests(h, "train"));
        Assert.Empty(h.Server.List<V1PodTemplate>(Objects.Ns));
    }

    [Fact]
    public async Task Job_GetsARequestForItsParallelism_AndStartsWithTheAnnotationsOnItsTemplate()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h, new() { ["provisioningClassName"] = "check-capacity.autoscaling.x-k8s.io" });
        h.Server.Seed(Objects.Job("train", 2, 8, "team-a"));

        await h.CycleAsync();
        await h.SettleAsync();
        var request = Request(h, "train-gpu-capacity-1");
        Assert.Equal("Job", request["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal(2, Assert.Single(request["spec"]!["podSets"]!.AsArray())!["count"]!.GetValue<int>());
        Assert.True(h.ReadJob("train").Spec.Suspend);

        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Provisioned", "True"));
        h.Server.Seed(Objects.GpuNode("scaled-0", 8));
        h.Server.Seed(Objects.GpuNode("scaled-1", 8));
        var admitted = false;
        for (var i = 0; i < 6 && !admitted; i++)
        {
            time.Advance(10);
            admitted = (await h.CycleAsync()).JobAdmissions.Count > 0;
            await h.SettleAsync();
        }

        Assert.True(admitted);
        var job = h.ReadJob("train");
        Assert.NotEqual(true, job.Spec.Suspend);
        Assert.Equal("train-gpu-capacity-1", job.Spec.Template.Metadata.Annotations[KubernetesNames.ConsumeProvisioningRequestAnnotation]);
        Assert.Equal("check-capacity.autoscaling.x-k8s.io", job.Spec.Template.Metadata.Annotations[KubernetesNames.ProvisioningClassNameAnnotation]);
    }

    [Fact]
    public async Task Failed_ReleasesTheReservationWithBackoff_AsksAnew_ThenRejectsTheWorkload()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h, new() { ["provisioningClassName"] = Class, ["backoffLimitCount"] = "1", ["backoffBaseSeconds"] = "300" });
        h.SeedGroup("train", 1, 1, 8);
        await h.CycleAsync();
        await h.SettleAsync();
        await h.NextCycleAsync(time);
        Assert.True(Reserved(h, "train"));

        // The autoscaler cannot provide: the check asks to retry, and the planner gives the quota back with backoff.
        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Failed", "True"));
        await h.NextCycleAsync(time);
        Assert.StartsWith("Retry: ProvisioningRequest train-gpu-capacity-1 reports Failed", Annotation(h, "train", CheckStatus.AnnotationOf(Check)), StringComparison.Ordinal);
        time.Advance(10);
        var release = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Contains(release.Events, e => e.Reason == "AdmissionCheckRetry" && e.About.Name == "train");
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.False(Reserved(h, "train"));
        Assert.False(group.Metadata.Annotations.ContainsKey(AdmissionRecord.AnnotationName));
        Assert.Equal("1", group.Metadata.Annotations[KubernetesNames.RequeuesAnnotation]);
        Assert.Equal("2024-01-01T00:05:00.000Z", group.Metadata.Annotations[KubernetesNames.BackoffUntilAnnotation]); // the config's 300s, not the profile's shorter backoff

        // Within the backoff nothing is reserved and no request is made.
        await h.NextCycleAsync(time);
        Assert.False(Reserved(h, "train"));
        Assert.Single(Requests(h, "train"));

        // After it, the reservation comes back and the second attempt is made.
        for (var i = 0; i < 6 && Requests(h, "train").Count < 2; i++)
        {
            time.Advance(60);
            await h.CycleAsync();
            await h.SettleAsync();
        }

        Assert.Equal(["train-gpu-capacity-1", "train-gpu-capacity-2"], Requests(h, "train"));
        await SetConditionsAsync(h, "train-gpu-capacity-2", ("Failed", "True"));
        for (var i = 0; i < 4 && h.Server.Get<PodGroup>("train", Objects.Ns)!.Status?.PendingReason?.Code != DecisionPlanner.CheckRejectedReason; i++)
        {
            await h.NextCycleAsync(time);
        }

        group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.StartsWith("Rejected: ProvisioningRequest train-gpu-capacity-2", group.Metadata.Annotations[CheckStatus.AnnotationOf(Check)], StringComparison.Ordinal);
        Assert.Contains("backoffLimitCount 1", group.Metadata.Annotations[CheckStatus.AnnotationOf(Check)], StringComparison.Ordinal);
        Assert.True(group.Metadata.Annotations.ContainsKey(KubernetesNames.AdmissionCheckRejectedAnnotation));
        Assert.Equal(DecisionPlanner.CheckRejectedReason, group.Status.PendingReason?.Code);

        // Its requests are cleaned up.
        await h.NextCycleAsync(time);
        Assert.Empty(Requests(h, "train"));
        Assert.Empty(h.Server.List<V1PodTemplate>(Objects.Ns));
        Assert.Empty(h.Server.Bindings);
    }

    [Fact]
    public async Task WhileProvisioning_TheQuotaIsHeld_SoASmallerWorkloadDoesNotTakeIt_ThenTheGangStartsOnTheNewNodes()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue()); // quota 16 GPUs; one node of 4
        SeedConfig(h, new() { ["provisioningClassName"] = Class });
        h.SeedGroup("train", 2, 2, 8);
        await h.CycleAsync();
        await h.SettleAsync();
        Assert.Single(Requests(h, "train"));

        // The request asks for nodes: the gang's 16 GPUs of quota are reserved, on no node yet.
        await h.NextCycleAsync(time);
        Assert.True(Reserved(h, "train"));
        var record = AdmissionRecord.Parse(h.Server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations)!;
        Assert.Equal(2, record.Pods.Count);
        Assert.All(record.Pods, p => Assert.Equal(string.Empty, p.Node));

        // A 4-GPU group would fit the free node, but not beside the reservation in the queue's quota.
        h.SeedGroup("small", 1, 1, 4);
        for (var i = 0; i < 3; i++)
        {
            time.Advance(10);
            Assert.Empty((await h.CycleAsync()).Bindings);
            await h.SettleAsync();
        }

        Assert.Equal("QuotaExceeded", h.Server.Get<PodGroup>("small", Objects.Ns)!.Status.PendingReason?.Code);
        Assert.Equal(DecisionPlanner.ChecksPendingReason, h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.PendingReason?.Code);

        // The autoscaler provides: the gang is admitted onto the new nodes, and the small group still waits for quota.
        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Accepted", "True"), ("Provisioned", "True"));
        h.Server.Seed(Objects.GpuNode("scaled-0", 8));
        h.Server.Seed(Objects.GpuNode("scaled-1", 8));
        var bound = await h.CycleUntilBoundAsync(time, 2);

        Assert.Equal(["scaled-0", "scaled-1"], bound.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(h.Server.Bindings, b => b.Pod == "small-0");
        Assert.False(Reserved(h, "train"));
        Assert.Equal("QuotaExceeded", h.Server.Get<PodGroup>("small", Objects.Ns)!.Status.PendingReason?.Code);
    }

    [Fact]
    public async Task QuotaHeldWhileProvisioning_IsNeverInASpotFlavorTheGangMayNotUse()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4);
        var spot = Objects.Flavor("spot", "spot");
        h.Server.Seed(spot with { Spec = spot.Spec with { Spot = true } });
        var queue = CheckedQueue();
        var spotQuota = Objects.Queue("team-a", "spot", "16").Spec.Flavors![0];
        h.Server.Seed(queue with { Spec = queue.Spec with { Flavors = [spotQuota, queue.Spec.Flavors![0]] } });
        SeedConfig(h, new() { ["provisioningClassName"] = Class });
        var group = Objects.Group("train", 2, "team-a");
        h.Server.Seed(group with { Spec = group.Spec with { Preemptible = false } }); // neither preemptible nor checkpointing: not for spot
        h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 8, group: "train"));

        await h.CycleAsync();
        await h.SettleAsync();
        await h.NextCycleAsync(time);

        Assert.True(Reserved(h, "train"));
        Assert.Equal("a100", AdmissionRecord.Parse(h.Server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations)!.Flavor);
    }

    [Fact]
    public async Task WhenTheRequestFails_TheHeldQuotaGoesToTheSmallerWorkload()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h, new() { ["provisioningClassName"] = Class });
        h.SeedGroup("train", 2, 2, 8);
        await h.CycleAsync();
        await h.SettleAsync();
        await h.NextCycleAsync(time);
        h.SeedGroup("small", 1, 1, 4);
        await h.NextCycleAsync(time);
        Assert.Empty(h.Server.Bindings);

        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Failed", "True"));
        var bound = new List<string>();
        for (var i = 0; i < 8 && bound.Count == 0; i++)
        {
            // The small group's own request (its queue's check asks for every workload) is provisioned at once: the node is there.
            if (h.Server.GetObject(ProvisioningRequestState.Group, ProvisioningRequestState.Version, ProvisioningRequestState.Plural, "small-gpu-capacity-1", Objects.Ns) is { } small && small["status"] is null)
            {
                await SetConditionsAsync(h, "small-gpu-capacity-1", ("Provisioned", "True"));
            }

            time.Advance(10);
            bound.AddRange((await h.CycleAsync()).Bindings.Select(b => b.Node));
            await h.SettleAsync();
        }

        Assert.Equal(["node-00"], bound);
        Assert.Contains(h.Server.Bindings, b => b.Pod == "small-0");
        Assert.False(Reserved(h, "train"));
        Assert.Equal("1", h.Server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations[KubernetesNames.RequeuesAnnotation]);
    }

    [Fact]
    public async Task BookingExpired_BeforeTheWorkloadStarted_RequeuesIt_AndAsksAnew()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h, new() { ["provisioningClassName"] = Class });
        h.SeedGroup("train", 1, 1, 8);
        await h.CycleAsync();
        await h.SettleAsync();
        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Provisioned", "True"));
        h.Server.Seed(Objects.GpuNode("scaled-0", 8));

        // The node joins and the quota is reserved; before the check turns Ready the booking expires.
        await h.NextCycleAsync(time);
        Assert.True(h.Server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Provisioned", "True"), ("BookingExpired", "True"));
        await h.NextCycleAsync(time);
        Assert.StartsWith("Retry: ProvisioningRequest train-gpu-capacity-1 reports BookingExpired", Annotation(h, "train", CheckStatus.AnnotationOf(Check)), StringComparison.Ordinal);

        // The planner releases the reservation with backoff; the gang is not bound, and a new request follows.
        time.Advance(10);
        var release = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Empty(release.Bindings);
        Assert.Contains(release.Events, e => e.Reason == "AdmissionCheckRetry" && e.About.Name == "train");
        Assert.False(h.Server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        for (var i = 0; i < 4 && Requests(h, "train").Count < 2; i++)
        {
            time.Advance(120);
            await h.CycleAsync();
            await h.SettleAsync();
        }

        Assert.NotNull(Request(h, "train-gpu-capacity-2"));
        Assert.DoesNotContain("train-gpu-capacity-1", Requests(h, "train")); // the lapsed request holds nothing: it goes
        Assert.Empty(h.Server.Bindings);
    }

    [Fact]
    public async Task JobSet_GetsARequestPerReplicatedJob_HoldsItsQuota_AndResumesWithTheAnnotationsInItsTemplates()
    {
        var time = new ManualTime();
        var server = await Berth.TestKit.Kubernetes.Fake.FakeApiServer.StartAsync(new() { CustomResources = [.. Berth.TestKit.Kubernetes.Fake.FakeApiServerOptions.BerthResources, .. Berth.TestKit.Kubernetes.Fake.FakeApiServerOptions.FrameworkResources], TimeProvider = time });
        await using var h = await ControllerHarness.StartAsync(server: server, time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h, new() { ["provisioningClassName"] = Class });
        h.Server.Seed(FrameworkSamples.Build("JobSet", "train", "team-a", workers: 1, gpus: 8));
        var jobSet = FrameworkSamples.Of("JobSet");
        JsonObject Read() => h.Server.GetObject(jobSet.Group, jobSet.Version, jobSet.Plural, "train", Objects.Ns)!;

        await h.CycleAsync();
        await h.SettleAsync();
        var request = Request(h, "train-gpu-capacity-1");
        Assert.Equal("JobSet", request["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal([1, 1], request["spec"]!["podSets"]!.AsArray().Select(p => p!["count"]!.GetValue<int>()));

        await h.NextCycleAsync(time);
        Assert.NotNull(JsonFields.At(Read(), "metadata", "annotations", KubernetesNames.QuotaReservedAnnotation));
        Assert.True(JsonFields.At(Read(), "spec", "suspend")!.GetValue<bool>());

        await SetConditionsAsync(h, "train-gpu-capacity-1", ("Provisioned", "True"));
        h.Server.Seed(Objects.GpuNode("scaled-0", 8));
        h.Server.Seed(Objects.GpuNode("scaled-1", 8));
        var admitted = false;
        for (var i = 0; i < 6 && !admitted; i++)
        {
            time.Advance(10);
            admitted = (await h.CycleAsync()).JobAdmissions.Any(a => a.Kind == "JobSet" && a.Name == "train");
            await h.SettleAsync();
        }

        Assert.True(admitted);
        var obj = Read();
        Assert.False(JsonFields.At(obj, "spec", "suspend")!.GetValue<bool>());
        Assert.StartsWith("Ready", JsonFields.Text(JsonFields.At(obj, "metadata", "annotations", CheckStatus.AnnotationOf(Check))), StringComparison.Ordinal);
        var sets = new List<FrameworkPodSet>();
        Assert.Null(jobSet.ReadPodSets(obj["spec"]!.AsObject(), sets));
        Assert.Equal(2, sets.Count);
        Assert.All(sets, s => Assert.Equal("train-gpu-capacity-1", JsonFields.Text(JsonFields.At(s.Template, "metadata", "annotations", KubernetesNames.ConsumeProvisioningRequestAnnotation))));
    }

    [Theory]
    [InlineData("provisioningClass", "data key 'provisioningClass' is not known")]
    [InlineData(null, "data key provisioningClassName is missing")]
    public async Task BadConfig_LeavesTheCheckPending_WithAMessageNamingTheKey(string? key, string expected)
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        var data = new Dictionary<string, string> { ["backoffLimitCount"] = "2" };
        if (key is not null)
        {
            data[key] = Class;
        }

        SeedConfig(h, data);
        h.SeedGroup("train", 1, 1, 8);
        await h.CycleAsync();
        await h.SettleAsync();

        var state = Annotation(h, "train", CheckStatus.AnnotationOf(Check));
        Assert.StartsWith("Pending: ConfigMap berth-system/gpu-capacity: ", state, StringComparison.Ordinal);
        Assert.Contains(expected, state, StringComparison.Ordinal);
        Assert.Empty(Requests(h, "train"));
    }

    [Fact]
    public async Task ExampleManifest_AsksForH100Capacity_ThenStartsOnTheNewNodes()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        foreach (var file in new[] { "deploy/examples/flavors.yaml", "deploy/examples/cohort.yaml", "deploy/examples/provisioning.yaml" })
        {
            foreach (var o in KubernetesYaml.LoadAllFromString(Api.Repository.Read(file), CustomResourceDefinitions.Types.ToDictionary(), strict: true))
            {
                h.Server.Seed(o);
            }
        }

        var a100 = Objects.GpuNode("a100-0", 8);
        a100.Metadata.Labels["nvidia.com/gpu.product"] = "NVIDIA-A100-SXM4-80GB";
        h.Server.Seed(a100); // capacity of the other flavor only: no H100 node yet

        await h.CycleAsync();
        await h.SettleAsync();
        var request = Request(h, "pretrain-gpu-capacity-1");
        Assert.Equal("best-effort-atomic-scale-up.autoscaling.x-k8s.io", request["spec"]!["provisioningClassName"]!.GetValue<string>());
        Assert.Equal(2, Assert.Single(request["spec"]!["podSets"]!.AsArray())!["count"]!.GetValue<int>());

        await SetConditionsAsync(h, "pretrain-gpu-capacity-1", ("Accepted", "True"), ("Provisioned", "True"));
        for (var i = 0; i < 2; i++)
        {
            var node = Objects.GpuNode($"h100-{i}", 8, pool: "h100");
            node.Metadata.Labels["nvidia.com/gpu.product"] = "NVIDIA-H100-80GB-HBM3";
            h.Server.Seed(node);
        }

        var bound = await h.CycleUntilBoundAsync(time, 2);
        Assert.Equal(["h100-0", "h100-1"], bound.Order(StringComparer.Ordinal));
        Assert.Equal("pretrain-gpu-capacity-1", h.ReadPod("pretrain-0", "default").Metadata.Annotations[KubernetesNames.ConsumeProvisioningRequestAnnotation]);
    }

    private static bool Reserved(ControllerHarness h, string group) =>
        h.Server.Get<PodGroup>(group, Objects.Ns)!.Metadata.Annotations?.ContainsKey(KubernetesNames.QuotaReservedAnnotation) == true;

    private static string Annotation(ControllerHarness h, string group, string key) =>
        h.Server.Get<PodGroup>(group, Objects.Ns)!.Metadata.Annotations.TryGetValue(key, out var value) ? value : "(none)";
}
