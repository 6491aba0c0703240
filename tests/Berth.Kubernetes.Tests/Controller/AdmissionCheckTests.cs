using System.Text.Json;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.TestKit;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// A queue that names admission checks, on the fake API server: workloads are first only reserved (quota held, Job
/// suspended, pods unbound), and start when every check's state annotation says <c>Ready</c>; <c>Retry</c> releases the
/// reservation with backoff; <c>Rejected</c> stops the workload for good (Kueue's semantics).
/// </summary>
public sealed class AdmissionCheckTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PodGroup_HoldsItsQuotaButIsNotBound_UntilEveryCheckIsReady()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(2, 8, CheckedQueue("provision", "budget"));
        h.SeedGroup("train", 1, 1, 8);

        var reserve = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(reserve.Bindings);
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.NotNull(AdmissionRecord.Parse(group.Metadata.Annotations));
        Assert.True(group.Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        Assert.Equal("Pending", group.Metadata.Annotations[CheckStatus.AnnotationOf("provision")]);
        Assert.Equal(DecisionPlanner.ChecksPendingReason, group.Status.PendingReason?.Code);
        Assert.Equal(DecisionPlanner.ChecksPendingReason, h.ReadPod("train-0").Status.Conditions.Single(c => c.Type == "PodScheduled").Reason);

        // The queue's 8 GPUs are reserved: a second group waits on quota, though a node is free.
        h.SeedGroup("other", 1, 1, 8);
        time.Advance(10);
        await h.CycleAsync();
        await h.SettleAsync();
        var other = h.Server.Get<PodGroup>("other", Objects.Ns)!;
        Assert.Null(AdmissionRecord.Parse(other.Metadata.Annotations));
        Assert.NotEqual(DecisionPlanner.ChecksPendingReason, other.Status.PendingReason?.Code);

        // One check ready is not enough; both are.
        await SetCheckAsync(h, "train", "provision", "Ready");
        time.Advance(10);
        Assert.Empty((await h.CycleAsync()).Bindings);
        Assert.Contains("budget (Pending)", h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.PendingReason!.Message, StringComparison.Ordinal);
        await SetCheckAsync(h, "train", "budget", "Ready: approved");
        time.Advance(10);
        var start = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal("train-0", Assert.Single(start.Bindings).Pod);
        var started = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.False(started.Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        Assert.Equal(time.GetUtcNow(), AdmissionRecord.Parse(started.Metadata.Annotations)!.AdmittedAt);
    }

    [Fact]
    public async Task Job_StaysSuspendedWhileChecksArePending_AndStartsWhenReady()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, CheckedQueue("provision"));
        h.Server.Seed(Objects.Job("train", 1, 8, "team-a"));

        var reserve = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(reserve.JobAdmissions);
        var job = h.ReadJob("train");
        Assert.True(job.Spec.Suspend);
        Assert.NotNull(AdmissionRecord.Parse(job.Metadata.Annotations));
        Assert.StartsWith(DecisionPlanner.ChecksPendingReason + ":", job.Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation], StringComparison.Ordinal);

        // Unsuspended by someone else before the check is ready: suspended again.
        job.Spec.Suspend = false;
        await h.Client.BatchV1.ReplaceNamespacedJobAsync(job, "train", Objects.Ns);
        var resuspend = await h.CycleAsync();
        Assert.Single(resuspend.Suspensions);
        await h.SettleAsync();
        Assert.True(h.ReadJob("train").Spec.Suspend);

        // Reserved again, then the check passes: it starts.
        time.Advance(10);
        await h.CycleAsync();
        await SetCheckAsync(h, "train", "provision", "Ready", job: true);
        time.Advance(10);
        var start = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal("train", Assert.Single(start.JobAdmissions).Name);
        var running = h.ReadJob("train");
        Assert.NotEqual(true, running.Spec.Suspend);
        Assert.False(running.Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
    }

    [Fact]
    public async Task Retry_ReleasesTheReservation_AndTheNextWorkloadTakesTheQuota()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, CheckedQueue("provision"));
        h.SeedGroup("first", 1, 1, 8);
        await h.CycleAsync();
        time.Advance(10);
        h.SeedGroup("second", 1, 1, 8);
        await h.CycleAsync();
        await h.SettleAsync();
        Assert.Null(AdmissionRecord.Parse(h.Server.Get<PodGroup>("second", Objects.Ns)!.Metadata.Annotations));

        await SetCheckAsync(h, "first", "provision", "Retry: no capacity in the zone");
        time.Advance(10);
        var retry = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Single(retry.Events, e => e.Reason == "AdmissionCheckRetry" && e.About.Name == "first" && e.Message.Contains("no capacity in the zone", StringComparison.Ordinal));
        var first = h.Server.Get<PodGroup>("first", Objects.Ns)!;
        Assert.Null(AdmissionRecord.Parse(first.Metadata.Annotations));
        Assert.Equal("1", first.Metadata.Annotations[KubernetesNames.RequeuesAnnotation]);
        Assert.Equal("Pending", first.Metadata.Annotations[CheckStatus.AnnotationOf("provision")]);

        time.Advance(10);
        await h.CycleAsync();
        await h.SettleAsync();
        var second = h.Server.Get<PodGroup>("second", Objects.Ns)!;
        Assert.True(second.Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        Assert.Equal(DecisionPlanner.ChecksPendingReason, second.Status.PendingReason?.Code);
    }

    [Fact]
    public async Task Rejected_StopsTheWorkloadForGood()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, CheckedQueue("provision"));
        h.SeedGroup("train", 1, 1, 8);
        await h.CycleAsync();

        await SetCheckAsync(h, "train", "provision", "Rejected: asks for more GPUs than any node group has");
        time.Advance(10);
        await h.CycleAsync();
        await h.SettleAsync();

        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal((PodGroupPhases.Failed, DecisionPlanner.CheckRejectedReason), (group.Status.Phase, group.Status.PendingReason?.Code));
        Assert.True(group.Metadata.Annotations.ContainsKey(KubernetesNames.AdmissionCheckRejectedAnnotation));
        Assert.Null(AdmissionRecord.Parse(group.Metadata.Annotations));

        time.Advance(600);
        var later = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Empty(later.Bindings);
        Assert.Null(AdmissionRecord.Parse(h.Server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations));
    }

    [Fact]
    public async Task LonePod_InAQueueWithChecks_IsReservedOnItself_ThenStartsWhenReady()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, CheckedQueue("provision"));
        h.Server.Seed(Objects.Pod("alone", gpus: 1, queue: "team-a"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(plan.Bindings);
        var pod = h.ReadPod("alone");
        Assert.True(pod.Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        Assert.Equal("Pending", pod.Metadata.Annotations[CheckStatus.AnnotationOf("provision")]);
        Assert.Equal(DecisionPlanner.ChecksPendingReason, pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Reason);

        var patch = new { metadata = new { annotations = new Dictionary<string, string> { [CheckStatus.AnnotationOf("provision")] = "Ready" } } };
        await h.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch), "alone", Objects.Ns);
        await h.SettleAsync();
        time.Advance(10);
        var start = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal("alone", Assert.Single(start.Bindings).Pod);
        Assert.False(h.ReadPod("alone").Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
    }

    [Fact]
    public async Task LabelOnlyGang_InAQueueWithChecks_IsRejectedOnItsFirstPod_AndNotBound()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(2, 8, CheckedQueue("provision"));
        h.Server.Seed(Objects.Pod("gang-b", gpus: 1, group: "gang", queue: "team-a"));
        h.Server.Seed(Objects.Pod("gang-a", gpus: 1, group: "gang", queue: "team-a"));
        await h.CycleAsync();
        await h.SettleAsync();
        Assert.True(h.ReadPod("gang-a").Metadata.Annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        Assert.False(h.ReadPod("gang-b").Metadata.Annotations?.ContainsKey(KubernetesNames.QuotaReservedAnnotation) == true);

        var patch = new { metadata = new { annotations = new Dictionary<string, string> { [CheckStatus.AnnotationOf("provision")] = "Rejected: over budget" } } };
        await h.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch), "gang-a", Objects.Ns);
        await h.SettleAsync();
        time.Advance(10);
        await h.CycleAsync();
        await h.SettleAsync();

        var first = h.ReadPod("gang-a").Metadata.Annotations;
        Assert.True(first.ContainsKey(KubernetesNames.AdmissionCheckRejectedAnnotation));
        Assert.Null(AdmissionRecord.Parse(first));
        time.Advance(600);
        Assert.Empty((await h.CycleAsync()).Bindings);
        await h.SettleAsync();
        Assert.Equal(DecisionPlanner.CheckRejectedReason, h.ReadPod("gang-b").Status.Conditions.Single(c => c.Type == "PodScheduled").Reason);
    }

    [Fact]
    public async Task ExampleManifest_IsReservedThenStarts()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        foreach (var file in new[] { "deploy/examples/flavors.yaml", "deploy/examples/cohort.yaml", "deploy/examples/admission-checks.yaml" })
        {
            foreach (var o in KubernetesYaml.LoadAllFromString(Api.Repository.Read(file), CustomResourceDefinitions.Types.ToDictionary(), strict: true))
            {
                h.Server.Seed(o);
            }
        }

        for (var i = 0; i < 2; i++)
        {
            var node = Objects.GpuNode($"gpu-{i}");
            node.Metadata.Labels["nvidia.com/gpu.product"] = "NVIDIA-A100-SXM4-80GB";
            h.Server.Seed(node);
        }

        await h.CycleAsync();
        await h.SettleAsync();
        var reserved = h.Server.Get<PodGroup>("finetune", "default")!;
        output.WriteLine(KubernetesJson.Serialize(new { reserved.Metadata.Annotations, reserved.Status.Phase, reserved.Status.PendingReason }));
        Assert.Equal(DecisionPlanner.ChecksPendingReason, reserved.Status.PendingReason?.Code);
        Assert.Null(h.ReadPod("finetune-0", "default").Spec.NodeName);

        foreach (var check in new[] { "capacity", "budget" })
        {
            var patch = new V1Patch(JsonSerializer.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [CheckStatus.AnnotationOf(check)] = "Ready" } } }), V1Patch.PatchType.MergePatch);
            await h.Client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, KubernetesNames.Group, KubernetesNames.Version, "default", PodGroup.KubePluralName, "finetune");
        }

        time.Advance(5);
        var start = await h.CycleAsync();
        await h.SettleAsync();
        var started = h.Server.Get<PodGroup>("finetune", "default")!;
        output.WriteLine(KubernetesJson.Serialize(new { started.Metadata.Annotations, started.Status.Phase, started.Status.AdmittedFlavor, Bound = start.Bindings.Select(b => $"{b.Pod} -> {b.Node}") }));
        Assert.Equal(2, start.Bindings.Count);
    }

    [Theory]
    [InlineData(null, AdmissionCheckState.Pending)]
    [InlineData("Ready", AdmissionCheckState.Ready)]
    [InlineData("Retry: later", AdmissionCheckState.Retry)]
    [InlineData("Rejected", AdmissionCheckState.Rejected)]
    [InlineData("ready", AdmissionCheckState.Pending)]
    [InlineData("2", AdmissionCheckState.Pending)]
    public void CheckState_IsReadFromItsAnnotation(string? value, AdmissionCheckState expected)
    {
        var meta = new V1ObjectMeta { Annotations = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [CheckStatus.AnnotationOf("c")] = value } };

        var state = Assert.Single(CheckStatus.Read(meta, ["c"]));

        Assert.Equal(expected, state.State);
    }

    private static Queue CheckedQueue(params string[] checks)
    {
        var queue = Objects.Queue("team-a", "a100", "8");
        return queue with { Spec = queue.Spec with { AdmissionChecks = checks } };
    }

    /// <summary>Writes a check's state as its controller would: a merge patch of the annotation.</summary>
    private static async Task SetCheckAsync(ControllerHarness h, string name, string check, string value, bool job = false)
    {
        var patch = new V1Patch(JsonSerializer.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [CheckStatus.AnnotationOf(check)] = value } } }), V1Patch.PatchType.MergePatch);
        if (job)
        {
            await h.Client.BatchV1.PatchNamespacedJobAsync(patch, name, Objects.Ns);
        }
        else
        {
            await h.Client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, KubernetesNames.Group, KubernetesNames.Version, Objects.Ns, PodGroup.KubePluralName, name);
        }

        await h.SettleAsync();
    }
}
