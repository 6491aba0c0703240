using Berth.Kubernetes.Controller;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// What docs/KUBERNETES.md promises for bad annotations: ignored, and reported as a Warning event on the object (not only
/// in the operator's log), once, not every decision.
/// </summary>
public sealed class IgnoredInputTests
{
    [Fact]
    public async Task BadAnnotationsOnAJobAndANode_EachGetOneWarningEvent_NamingTheAnnotation()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Objects.GpuNode("node-00", 8, annotations: new Dictionary<string, string> { [KubernetesNames.UnhealthyGpusAnnotation] = "one,three" }));
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "8"));
        var job = Objects.Job("train", 1, 4, "team-a");
        job.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.PreemptibleAnnotation] = "maybe" };
        h.Server.Seed(job);

        await h.CycleAsync();
        await h.SettleAsync();
        List<Corev1Event> Ignored() => h.Server.List<Corev1Event>(Objects.Ns).Where(e => e.Reason == DecisionPlanner.IgnoredInputReason).ToList();
        var first = Ignored();

        var onJob = Assert.Single(first, e => e.InvolvedObject.Kind == "Job" && e.InvolvedObject.Name == "train");
        Assert.Equal("Warning", onJob.Type);
        Assert.Contains($"annotation {KubernetesNames.PreemptibleAnnotation} is 'maybe'", onJob.Message, StringComparison.Ordinal);
        Assert.Single(first, e => e.InvolvedObject.Kind == "Node" && e.InvolvedObject.Name == "node-00" && e.Message.Contains($"annotation {KubernetesNames.UnhealthyGpusAnnotation} is 'one,three'", StringComparison.Ordinal));

        // Later decisions find the same warnings and record nothing more.
        for (var i = 0; i < 2; i++)
        {
            await h.CycleAsync();
            await h.SettleAsync();
        }

        Assert.Equal(first.Count, Ignored().Count);

        // The annotation was ignored, nothing else: the Job is admitted.
        Assert.NotEqual(true, h.ReadJob("train").Spec.Suspend);
    }
}
