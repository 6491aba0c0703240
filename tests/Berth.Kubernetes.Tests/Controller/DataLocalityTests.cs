using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Translation;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// Data locality against the fake API server: a Job names its datasets in <c>berth.dev/datasets</c>, nodes say what they
/// cache with <c>dataset.berth.dev/&lt;name&gt;</c> labels, and the Job is admitted onto the node that caches its data.
/// </summary>
public sealed class DataLocalityTests
{
    private static async Task<ControllerHarness> ClusterAsync()
    {
        var h = await ControllerHarness.StartAsync();
        h.SeedCluster(3, 8, Objects.Queue("team-a", "a100", "24"));
        var cacher = Objects.GpuNode("node-03", 8);
        cacher.Metadata.Labels[DatasetAnnotations.CachedLabelPrefix + "imagenet"] = "true";
        h.Server.Seed(cacher);
        return h;
    }

    private static string AdmittedNode(ControllerHarness h, string job) =>
        Assert.Single(AdmissionRecord.Parse(h.ReadJob(job).Metadata.Annotations)!.Pods).Node;

    [Fact]
    public async Task JobNamingACachedDataset_IsAdmittedOntoTheNodeThatCachesIt()
    {
        await using var h = await ClusterAsync();
        var job = Objects.Job("train", 1, 2, "team-a");
        job.Metadata.Annotations = new Dictionary<string, string> { [DatasetAnnotations.DatasetsAnnotation] = "imagenet=150Gi" };
        h.Server.Seed(job);
        h.Server.Seed(Objects.Job("plain", 1, 2, "team-a"));

        await h.CycleAsync();
        await h.SettleAsync();

        Assert.False(h.ReadJob("train").Spec.Suspend);
        Assert.Equal("node-03", AdmittedNode(h, "train"));
        Assert.NotEqual("node-03", AdmittedNode(h, "plain")); // without datasets the policy packs as before, onto the first node
    }

    [Fact]
    public async Task DatasetWithoutSize_IsInvalidSpec_NamingTheAnnotationAndTheFix()
    {
        await using var h = await ClusterAsync();
        var job = Objects.Job("nosize", 1, 2, "team-a");
        job.Metadata.Annotations = new Dictionary<string, string> { [DatasetAnnotations.DatasetsAnnotation] = "imagenet" };
        h.Server.Seed(job);

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(plan.JobAdmissions);
        Assert.True(h.ReadJob("nosize").Spec.Suspend);
        var reason = h.ReadJob("nosize").Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation];
        Assert.StartsWith("InvalidSpec", reason, StringComparison.Ordinal);
        Assert.Contains("annotation berth.dev/datasets names dataset 'imagenet' with no size; write berth.dev/datasets: imagenet=150Gi", reason, StringComparison.Ordinal);
    }
}
