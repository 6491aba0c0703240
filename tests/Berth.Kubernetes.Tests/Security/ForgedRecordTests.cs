using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Tests.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>
/// Issue 12, finding 1: a tenant who may create their own Jobs and PodGroups writes a well-formed
/// <c>berth.dev/admission</c> record by hand. The controller must not obey it: Berth's records carry a seal over the
/// object's uid that only Berth's key can make.
/// </summary>
public sealed class ForgedRecordTests
{
    /// <summary>A record as a tenant would write it: naming node-00 and its first GPUs, without (or with a made-up) seal.</summary>
    private static string Forged(int pods, int gpusPerPod, string? seal = null) => new AdmissionRecord
    {
        Flavor = "a100",
        AdmittedAt = DateTimeOffset.UnixEpoch.AddDays(20000),
        Pods = Enumerable.Range(0, pods).Select(i => new PlannedPod(0, "node-00", Enumerable.Range(i * gpusPerPod, gpusPerPod).ToArray(), 1000)).ToArray(),
        Seal = seal,
    }.ToJson();

    [Theory]
    [InlineData(null)]
    [InlineData("bm90IGEgcmVhbCBzZWFs")]
    public async Task PodGroupWithForgedRecord_OverQuota_IsNotBoundAndTheRecordIsRemoved(string? seal)
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "4"));
        var forged = Objects.Group("forged", 2, "team-a");
        forged.Metadata.Annotations = new Dictionary<string, string> { [AdmissionRecord.AnnotationName] = Forged(2, 4, seal) };
        h.Server.Seed(forged);
        h.Server.Seed(Objects.Pod("forged-0", gpus: 4, group: "forged"));
        h.Server.Seed(Objects.Pod("forged-1", gpus: 4, group: "forged"));

        await h.RunUntilQuietAsync();

        Assert.Null(h.ReadPod("forged-0").Spec.NodeName);
        Assert.Null(h.ReadPod("forged-1").Spec.NodeName);
        var group = h.Server.Get<Berth.Kubernetes.Api.PodGroup>("forged", Objects.Ns)!;
        Assert.False(group.Metadata.Annotations?.ContainsKey(AdmissionRecord.AnnotationName) ?? false, "the forged record is stripped");
        Assert.NotEqual("Admitted", group.Status?.Phase);
    }

    [Fact]
    public async Task PodGroupWithForgedRecord_WaitsLikeAnIdenticalHonestGroup()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "8"));
        h.SeedGroup("running", 1, 1, 8); // takes the whole quota
        await h.RunUntilQuietAsync();
        Assert.NotNull(h.ReadPod("running-0").Spec.NodeName);

        var forged = Objects.Group("forged", 1, "team-a");
        forged.Metadata.Annotations = new Dictionary<string, string> { [AdmissionRecord.AnnotationName] = Forged(1, 8) };
        await h.Client.CustomObjects.CreateNamespacedCustomObjectAsync(forged, KubernetesNames.Group, KubernetesNames.Version, Objects.Ns, Berth.Kubernetes.Api.PodGroup.KubePluralName);
        await h.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("forged-0", gpus: 8, group: "forged"), Objects.Ns);
        await h.Client.CustomObjects.CreateNamespacedCustomObjectAsync(Objects.Group("honest", 1, "team-a"), KubernetesNames.Group, KubernetesNames.Version, Objects.Ns, Berth.Kubernetes.Api.PodGroup.KubePluralName);
        await h.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("honest-0", gpus: 8, group: "honest"), Objects.Ns);
        await h.RunUntilQuietAsync();

        Assert.Null(h.ReadPod("honest-0").Spec.NodeName);
        Assert.Null(h.ReadPod("forged-0").Spec.NodeName);
    }

    [Fact]
    public async Task RecordCopiedFromAnotherAdmittedGroup_IsNotObeyed()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "8"));
        h.SeedGroup("admitted", 1, 1, 8);
        await h.RunUntilQuietAsync();
        var genuine = h.Server.Get<Berth.Kubernetes.Api.PodGroup>("admitted", Objects.Ns)!.Metadata.Annotations[AdmissionRecord.AnnotationName];
        Assert.NotNull(ControllerHarness.TestSeal.Open(h.Server.Get<Berth.Kubernetes.Api.PodGroup>("admitted", Objects.Ns)!.Metadata));

        // The tenant copies Berth's own, validly sealed record onto a new group: the seal covers the uid, so it fails there.
        var copy = Objects.Group("copy", 1, "team-a");
        copy.Metadata.Annotations = new Dictionary<string, string> { [AdmissionRecord.AnnotationName] = genuine };
        await h.Client.CustomObjects.CreateNamespacedCustomObjectAsync(copy, KubernetesNames.Group, KubernetesNames.Version, Objects.Ns, Berth.Kubernetes.Api.PodGroup.KubePluralName);
        await h.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("copy-0", gpus: 8, group: "copy"), Objects.Ns);
        await h.RunUntilQuietAsync();

        Assert.Null(h.ReadPod("copy-0").Spec.NodeName);
        Assert.NotNull(h.ReadPod("admitted-0").Spec.NodeName);
    }

    [Fact]
    public async Task JobCreatedUnsuspendedWithForgedRecord_IsSuspendedAndTheRecordRemoved()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "4"));
        var job = Objects.Job("forged", 1, 8, "team-a", suspend: false);
        job.Metadata.Annotations = new Dictionary<string, string> { [AdmissionRecord.AnnotationName] = Forged(1, 8) };
        h.Server.Seed(job);

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Contains(plan.Suspensions, s => s.Name == "forged" && s.Reason == "NotAdmitted");
        var stored = h.ReadJob("forged");
        Assert.True(stored.Spec.Suspend);
        Assert.False(stored.Metadata.Annotations?.ContainsKey(AdmissionRecord.AnnotationName) ?? false);
    }

    [Fact]
    public async Task JobAdmittedByBerth_KeepsRunningAcrossARestart()
    {
        // The control: a genuine record is still obeyed by a new controller with the same key.
        var server = await Fake.FakeApiServer.StartAsync(new Fake.FakeApiServerOptions { CustomResources = Fake.FakeApiServerOptions.BerthResources });
        var first = await ControllerHarness.StartAsync(server: server);
        first.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        server.Seed(Objects.Job("honest", 1, 8, "team-a"));
        await first.RunUntilQuietAsync();
        Assert.False(first.ReadJob("honest").Spec.Suspend);
        await first.StopAsync();

        await using var restarted = await ControllerHarness.StartAsync(server: server);
        var plan = await restarted.CycleAsync();

        Assert.Empty(plan.Suspensions);
        Assert.False(restarted.ReadJob("honest").Spec.Suspend);
    }

    [Fact]
    public void Seal_ChangedRecordOrOtherUidOrOtherKey_DoesNotVerify()
    {
        var seal = ControllerHarness.TestSeal;
        var record = seal.Sign(new AdmissionRecord { Flavor = "a100", AdmittedAt = DateTimeOffset.UnixEpoch, Pods = [new PlannedPod(0, "node-00", [0], 1000)] }, "uid-1");
        V1ObjectMeta Meta(string uid, AdmissionRecord r) => new() { Uid = uid, Annotations = new Dictionary<string, string> { [AdmissionRecord.AnnotationName] = r.ToJson() } };

        Assert.NotNull(seal.Open(Meta("uid-1", record)));
        Assert.Null(seal.Open(Meta("uid-2", record)));
        Assert.Null(seal.Open(Meta("uid-1", record with { Pods = [new PlannedPod(0, "node-01", [0], 1000)] })));
        Assert.Null(AdmissionRecordSeal.WithKey(AdmissionRecordSeal.NewKey()).Open(Meta("uid-1", record)));
        Assert.True(seal.IsForged(Meta("uid-2", record)));
        Assert.Throws<ArgumentException>(() => AdmissionRecordSeal.WithKey(new byte[16]));
    }
}
