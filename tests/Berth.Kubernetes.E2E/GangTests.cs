using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using k8s.Models;

namespace Berth.Kubernetes.E2E;

/// <summary>Gangs of plain pods (a PodGroup and pods with its label) on the fake A100 nodes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GangTests(ClusterFixture cluster)
{
    [ClusterFact]
    public async Task Gang_OfEightThatFits_IsBoundWholeWithGpuAssignments()
    {
        await using var s = await ClusterScenario.StartAsync(cluster, "gang");
        var flavor = await s.CreateAsync(E2EObjects.Flavor(s, "a100", ClusterEnvironment.A100));
        var queue = await s.CreateAsync(E2EObjects.Queue(s, "queue", flavor.Metadata.Name, "8"));
        await s.CreateAsync(E2EObjects.Group(s, "allreduce", 8, queue.Metadata.Name));
        for (var i = 0; i < 8; i++)
        {
            await s.CreateAsync(E2EObjects.GangPod(s, $"worker-{i}", "allreduce", gpus: 1));
        }

        IList<V1Pod> last = [];
        var pods = await s.EventuallyAsync("all 8 pods of the gang are bound", async () =>
        {
            last = await s.PodsAsync();
            return last.Count == 8 && last.All(p => !string.IsNullOrEmpty(p.Spec.NodeName)) ? last : null;
        }, () => Describe(last));

        var slots = new HashSet<(string Node, string Gpu)>();
        foreach (var pod in pods)
        {
            var node = await s.ReadNodeAsync(pod.Spec.NodeName);
            Assert.Equal(ClusterEnvironment.A100, node.Metadata.Labels[KubernetesNames.GpuProductLabel]);
            Assert.Equal("1000", pod.Metadata.Annotations[KubernetesNames.GpuMilliAnnotation]);
            var gpu = Assert.Single(pod.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation].Split(','));
            Assert.True(slots.Add((pod.Spec.NodeName, gpu)), $"GPU {gpu} of {pod.Spec.NodeName} was given to two pods");
        }

        var group = await s.EventuallyAsync("the PodGroup shows Running with its admission record", async () =>
            await s.ReadPodGroupAsync("allreduce") is { Status.Phase: PodGroupPhases.Running } g && g.Metadata.Annotations?.ContainsKey(AdmissionRecord.AnnotationName) == true ? g : null);
        var record = AdmissionRecord.Parse(group.Metadata.Annotations);
        Assert.Equal(flavor.Metadata.Name, record?.Flavor);
        Assert.Equal(8, record?.Pods.Count);
        Assert.Null(group.Status.PendingReason);
    }

    [ClusterFact]
    public async Task Gang_TooBigForTheNodes_BindsNoneAndSaysWhy()
    {
        await using var s = await ClusterScenario.StartAsync(cluster, "biggang");
        var flavor = await s.CreateAsync(E2EObjects.Flavor(s, "a100", ClusterEnvironment.A100));
        var queue = await s.CreateAsync(E2EObjects.Queue(s, "queue", flavor.Metadata.Name, "64"));
        await s.CreateAsync(E2EObjects.Group(s, "huge", 8, queue.Metadata.Name));
        for (var i = 0; i < 8; i++)
        {
            // 8 x 3 GPUs = 24, more than the 16 GPUs of the two A100 nodes: the gang fits whole or not at all.
            await s.CreateAsync(E2EObjects.GangPod(s, $"worker-{i}", "huge", gpus: 3));
        }

        var group = await s.EventuallyAsync("the PodGroup gets a pending reason", async () =>
            await s.ReadPodGroupAsync("huge") is { Status.PendingReason: not null } g ? g : null);
        IList<V1Pod> last = [];
        await s.EventuallyAsync("every pod is marked PodScheduled=False by Berth", async () =>
        {
            last = await s.PodsAsync();
            return last.Count == 8 && last.All(p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable" && c.Message?.StartsWith(group.Status.PendingReason!.Code + ":", StringComparison.Ordinal) == true) == true) ? last : null;
        }, () => Describe(last));

        Assert.All(await s.PodsAsync(), p => Assert.True(string.IsNullOrEmpty(p.Spec.NodeName), $"{p.Metadata.Name} was bound to {p.Spec.NodeName}"));
        Assert.NotEqual(PodGroupPhases.Running, group.Status.Phase);
        Assert.False(string.IsNullOrEmpty(group.Status.PendingReason!.Message));
    }

    internal static string Describe(IEnumerable<V1Pod> pods) => string.Join('\n', pods.Select(p =>
        $"{p.Metadata.Name}: node={p.Spec.NodeName ?? "-"} phase={p.Status?.Phase} scheduled={string.Join(';', p.Status?.Conditions?.Where(c => c.Type == "PodScheduled").Select(c => $"{c.Status}/{c.Reason}: {c.Message}") ?? [])}"));
}
