using Berth.Kubernetes.Controller;
using k8s.Models;

namespace Berth.Kubernetes.E2E;

/// <summary>Queued batch/v1 Jobs: created suspended with a queue label, admitted by unsuspending them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class JobAdmissionTests(ClusterFixture cluster)
{
    [ClusterFact]
    public async Task Job_Queued_IsUnsuspendedWithTheFlavorsNodeSelectorAndItsPodBound()
    {
        await using var s = await ClusterScenario.StartAsync(cluster, "job");
        var flavor = await s.CreateAsync(E2EObjects.Flavor(s, "h100", ClusterEnvironment.H100));
        var queue = await s.CreateAsync(E2EObjects.Queue(s, "queue", flavor.Metadata.Name, "4"));
        await s.CreateAsync(E2EObjects.Job(s, "train", queue.Metadata.Name, gpus: 2));

        var job = await s.EventuallyAsync("the Job is unsuspended", async () => await s.ReadJobAsync("train") is { Spec.Suspend: false } j ? j : null);

        var selector = job.Spec.Template.Spec.NodeSelector;
        Assert.Equal(ClusterEnvironment.H100, selector[KubernetesNames.GpuProductLabel]);
        Assert.Equal(ClusterEnvironment.FakeGpuLabelValue, selector[ClusterEnvironment.FakeGpuLabel]);
        Assert.Contains(job.Spec.Template.Spec.Tolerations, t => t.Key == ClusterEnvironment.FakeGpuLabel && t.Effect == "NoSchedule");
        var record = AdmissionRecord.Parse(job.Metadata.Annotations);
        Assert.Equal(flavor.Metadata.Name, record?.Flavor);
        Assert.False(job.Metadata.Annotations.ContainsKey(DecisionPlanner.PendingReasonAnnotation));

        IList<V1Pod> last = [];
        var pod = await s.EventuallyAsync("the Job controller's pod is bound by Berth where the admission record says", async () =>
        {
            last = await s.PodsAsync("job=train");
            return last.SingleOrDefault(p => !string.IsNullOrEmpty(p.Spec.NodeName));
        }, () => GangTests.Describe(last));
        Assert.Equal(record!.Pods.Single().Node, pod.Spec.NodeName);
        Assert.Equal(string.Join(',', record.Pods.Single().Gpus), pod.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation]);
        var node = await s.ReadNodeAsync(pod.Spec.NodeName);
        Assert.Equal(ClusterEnvironment.H100, node.Metadata.Labels[KubernetesNames.GpuProductLabel]);
    }

    [ClusterFact]
    public async Task Job_BeyondItsQueuesQuota_WaitsUntilTheFirstIsDeleted()
    {
        await using var s = await ClusterScenario.StartAsync(cluster, "quota");
        var flavor = await s.CreateAsync(E2EObjects.Flavor(s, "a100", ClusterEnvironment.A100));
        var queue = await s.CreateAsync(E2EObjects.Queue(s, "queue", flavor.Metadata.Name, "2"));
        var name = queue.Metadata.Name;
        await s.CreateAsync(E2EObjects.Job(s, "first", name, gpus: 2));
        await s.EventuallyAsync("the first Job is admitted", async () => await s.ReadJobAsync("first") is { Spec.Suspend: false } j ? j : null);

        await s.CreateAsync(E2EObjects.Job(s, "second", name, gpus: 2));

        var waiting = await s.EventuallyAsync($"the second Job gets a {DecisionPlanner.PendingReasonAnnotation} annotation", async () =>
            await s.ReadJobAsync("second") is { } j && j.Metadata.Annotations?.ContainsKey(DecisionPlanner.PendingReasonAnnotation) == true ? j : null);
        Assert.True(waiting.Spec.Suspend);
        Assert.StartsWith("QuotaExceeded:", waiting.Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation], StringComparison.Ordinal);
        Api.Queue? seen = null;
        await s.EventuallyAsync("the queue's status counts 1 admitted and 1 pending, and reports 2 GPUs used", async () =>
        {
            seen = await s.ReadQueueAsync(name);
            var gpu = seen?.Status?.Usage?.SingleOrDefault()?.Resources?.SingleOrDefault(r => r.Name == "gpu");
            return seen is { Status: { AdmittedWorkloads: 1, PendingWorkloads: 1 } } && gpu?.Total == "2" ? seen : null;
        }, () => Berth.Kubernetes.E2E.QueueTests.Describe(seen));

        await s.DeleteJobAsync("first");

        var admitted = await s.EventuallyAsync("the second Job is admitted once the first is gone", async () => await s.ReadJobAsync("second") is { Spec.Suspend: false } j ? j : null);
        Assert.NotNull(AdmissionRecord.Parse(admitted.Metadata.Annotations));
        Assert.False(admitted.Metadata.Annotations.ContainsKey(DecisionPlanner.PendingReasonAnnotation));
    }
}
