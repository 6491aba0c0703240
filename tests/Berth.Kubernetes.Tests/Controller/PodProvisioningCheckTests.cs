using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Frameworks;
using Berth.Kubernetes.Provisioning;
using Berth.TestKit;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;

using static Berth.Kubernetes.Tests.Controller.ProvisioningSteps;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// The provisioning check for pods with no object of their own (a LeaderWorkerSet group, a lone pod): the reservation
/// and the check's state live on the first pod by name, and the test plays the cluster autoscaler.
/// </summary>
public sealed class PodProvisioningCheckTests
{
    [Fact]
    public async Task LeaderWorkerSetGroup_GetsARequest_HoldsQuotaWhilePending_ThenBindsWhenProvisioned()
    {
        var time = new ManualTime();
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = [.. FakeApiServerOptions.BerthResources, .. FakeApiServerOptions.FrameworkResources], TimeProvider = time });
        await using var h = await ControllerHarness.StartAsync(server: server, time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h);
        h.Server.Seed(FrameworkSamples.LeaderWorkerSet("serve", "team-a", replicas: 1, size: 2, gpus: 8)); // one group of 16 GPUs
        foreach (var worker in new[] { 1, 0 })
        {
            var pod = Objects.Pod($"serve-0-{worker}", gpus: 8);
            pod.Metadata.Labels["leaderworkerset.sigs.k8s.io/name"] = "serve";
            pod.Metadata.Labels[Frameworks.LeaderWorkerSet.LeaderWorkerSetFramework.GroupIndexLabel] = "0";
            pod.Metadata.Labels[Frameworks.LeaderWorkerSet.LeaderWorkerSetFramework.WorkerIndexLabel] = worker.ToString(System.Globalization.CultureInfo.InvariantCulture);
            h.Server.Seed(pod);
        }

        await h.CycleAsync();
        await h.SettleAsync();

        // The group's request, named for the group and owned by its first pod, asks for both pods.
        var request = Request(h, "serve-0-gpu-capacity-1");
        var owner = request["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("Pod", "serve-0-0"), (owner["kind"]!.GetValue<string>(), owner["name"]!.GetValue<string>()));
        Assert.Equal(2, Assert.Single(request["spec"]!["podSets"]!.AsArray())!["count"]!.GetValue<int>());
        Assert.StartsWith("Pending: ProvisioningRequest serve-0-gpu-capacity-1 created", Annotation(h, "serve-0-0", CheckStatus.AnnotationOf(Check)), StringComparison.Ordinal);
        Assert.Equal("(none)", Annotation(h, "serve-0-1", CheckStatus.AnnotationOf(Check)));

        // Next cycle its quota is reserved on the first pod (the queue's 16 GPUs are held while the request is pending), and nothing is bound.
        time.Advance(10);
        var held = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Empty(held.Bindings);
        Assert.NotEqual("(none)", Annotation(h, "serve-0-0", KubernetesNames.QuotaReservedAnnotation));
        Assert.NotNull(AdmissionRecord.Parse(h.ReadPod("serve-0-0").Metadata.Annotations));
        time.Advance(10);
        var still = await h.CycleAsync(); // the quota the reservation charges shows from the next cycle on
        await h.SettleAsync();
        Assert.Empty(still.Bindings);
        Assert.Contains(still.Quota, q => q.Queue == "team-a" && q.Resource == "gpu" && q.Used == 16);
        Assert.Single(Requests(h, "serve-0"));

        await SetConditionsAsync(h, "serve-0-gpu-capacity-1", ("Accepted", "True"), ("Provisioned", "True"));
        h.Server.Seed(Objects.GpuNode("scaled-0", 8));
        h.Server.Seed(Objects.GpuNode("scaled-1", 8));
        var bound = await h.CycleUntilBoundAsync(time, 2);

        Assert.Equal(["scaled-0", "scaled-1"], bound.Order(StringComparer.Ordinal));
        foreach (var pod in new[] { "serve-0-0", "serve-0-1" })
        {
            Assert.Equal("serve-0-gpu-capacity-1", h.ReadPod(pod).Metadata.Annotations[KubernetesNames.ConsumeProvisioningRequestAnnotation]);
        }

        var anchor = h.ReadPod("serve-0-0").Metadata.Annotations;
        Assert.StartsWith("Ready", anchor[CheckStatus.AnnotationOf(Check)], StringComparison.Ordinal);
        Assert.False(anchor.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
    }

    [Fact]
    public async Task LonePod_GetsARequest_HoldsQuotaWhilePending_ThenBindsWhenProvisioned()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h);
        h.Server.Seed(Objects.Pod("alone", gpus: 8, queue: "team-a"));

        await h.CycleAsync();
        await h.SettleAsync();
        var request = Request(h, "alone-gpu-capacity-1");
        Assert.Equal("alone", request["metadata"]!["ownerReferences"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(1, Assert.Single(request["spec"]!["podSets"]!.AsArray())!["count"]!.GetValue<int>());

        time.Advance(10);
        var held = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Empty(held.Bindings);
        Assert.NotEqual("(none)", Annotation(h, "alone", KubernetesNames.QuotaReservedAnnotation));
        time.Advance(10);
        var still = await h.CycleAsync(); // the quota the reservation charges shows from the next cycle on
        await h.SettleAsync();
        Assert.Empty(still.Bindings);
        Assert.Contains(still.Quota, q => q.Queue == "team-a" && q.Resource == "gpu" && q.Used == 8);
        Assert.Equal(DecisionPlanner.ChecksPendingReason, h.ReadPod("alone").Status.Conditions.Single(c => c.Type == "PodScheduled").Reason);

        await SetConditionsAsync(h, "alone-gpu-capacity-1", ("Provisioned", "True"));
        h.Server.Seed(Objects.GpuNode("scaled-0", 8));
        var bound = await h.CycleUntilBoundAsync(time, 1);

        Assert.Equal(["scaled-0"], bound);
        var annotations = h.ReadPod("alone").Metadata.Annotations;
        Assert.Equal("alone-gpu-capacity-1", annotations[KubernetesNames.ConsumeProvisioningRequestAnnotation]);
        Assert.False(annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
    }

    [Fact]
    public async Task LonePod_WhenTheRequestFails_ReleasesTheReservationWithBackoff()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 4, CheckedQueue());
        SeedConfig(h, ("backoffBaseSeconds", "300"));
        h.Server.Seed(Objects.Pod("alone", gpus: 8, queue: "team-a"));
        await h.NextCycleAsync(time);
        await h.NextCycleAsync(time);
        Assert.NotEqual("(none)", Annotation(h, "alone", KubernetesNames.QuotaReservedAnnotation));

        await SetConditionsAsync(h, "alone-gpu-capacity-1", ("Failed", "True"));
        await h.NextCycleAsync(time);
        await h.NextCycleAsync(time);

        var annotations = h.ReadPod("alone").Metadata.Annotations;
        Assert.False(annotations.ContainsKey(KubernetesNames.QuotaReservedAnnotation));
        Assert.Null(AdmissionRecord.Parse(annotations));
        Assert.Equal("1", annotations[KubernetesNames.RequeuesAnnotation]);
        Assert.True(DateTimeOffset.Parse(annotations[KubernetesNames.BackoffUntilAnnotation], System.Globalization.CultureInfo.InvariantCulture) >= time.GetUtcNow().AddSeconds(200));
        Assert.Null(h.ReadPod("alone").Spec.NodeName);
    }

    private static void SeedConfig(ControllerHarness h, params (string Key, string Value)[] more)
    {
        var data = new Dictionary<string, string> { ["provisioningClassName"] = Class };
        foreach (var (key, value) in more)
        {
            data[key] = value;
        }

        ProvisioningSteps.SeedConfig(h, data);
    }

    private static string Annotation(ControllerHarness h, string pod, string key) =>
        h.ReadPod(pod).Metadata.Annotations?.TryGetValue(key, out var value) == true ? value : "(none)";
}
