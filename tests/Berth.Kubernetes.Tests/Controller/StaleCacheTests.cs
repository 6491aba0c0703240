using Berth.Kubernetes.Controller;
using Berth.TestKit;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>Planning while the watch lags behind Berth's own bindings never gives a GPU (or a share of one) twice.</summary>
public sealed class StaleCacheTests
{
    [Fact]
    public async Task WatchLagsBehindABinding_NextPlanSeesThePodBound_AndGivesItsGpuShareToNoOneElse()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(new ControllerOptions { ObserveTimeout = TimeSpan.FromMilliseconds(50) }, time: time);
        h.SeedCluster(1, 1, Objects.Queue("team-a", "a100", "4"));
        h.Server.Seed(Objects.PriorityClass("urgent", 1000));
        h.Server.Seed(SharePod("first", 600));
        await h.SettleAsync();

        // The API server accepts the binding, but the watch does not deliver it.
        h.Server.DelayBindingEvents();
        var plan = await h.Controller.RunCycleAsync(CancellationToken.None);
        Assert.Equal("first", Assert.Single(plan.Bindings).Pod);
        Assert.Equal("node-00", h.ReadPod("first").Spec.NodeName);

        // A more urgent pod for the same GPU arrives; its event is seen, the binding still is not.
        var urgent = SharePod("urgent", 600);
        urgent.Spec.PriorityClassName = "urgent";
        urgent.Spec.Priority = 1000; // as the Priority admission plugin sets it
        h.Server.Seed(urgent);
        await WaitUntilCachedAsync(h, "urgent");
        Assert.True(h.Server.DelayedEventCount > 0);
        Assert.True(string.IsNullOrEmpty(h.Controller.Cache.Pods.Get(Objects.Ns + "/first")!.Spec.NodeName), "the cache must still show the first pod unbound, or this test proves nothing");

        var stale = await h.Controller.RunCycleAsync(CancellationToken.None);

        // Nothing more may go on GPU 0 while the first pod holds 600 of its 1000 milli-GPU.
        Assert.DoesNotContain(stale.Bindings, b => b.Pod == "urgent");
        Assert.Null(h.ReadPod("urgent").Spec.NodeName);
        Assert.InRange(BoundMilli(h), 0, 1000);

        // Once the watch catches up, what Berth remembered is forgotten and the cache alone decides.
        h.Server.ReleaseDelayedEvents();
        await h.SettleAsync();
        await h.RunUntilQuietAsync();
        Assert.Equal(0, h.Controller.Written.Count);
        Assert.InRange(BoundMilli(h), 0, 1000);
    }

    [Fact]
    public void WrittenState_ForgetsABinding_WhenTheCacheShowsItOrThePodIsGoneOrReplaced()
    {
        var written = new WrittenState();
        var annotations = new Dictionary<string, string> { [KubernetesNames.GpuIndicesAnnotation] = "0" };
        written.Bound("ns", "a", "uid-a", "n1", annotations);
        written.Bound("ns", "b", "uid-b", "n1", annotations);
        written.Bound("ns", "c", "uid-c", "n1", annotations);

        var laid = written.Apply(Snapshot(Pod("a", "uid-a", null), Pod("b", "uid-b-new", null)));

        var a = laid.Pods.Single(p => p.Metadata.Name == "a");
        Assert.Equal(("n1", "0"), (a.Spec.NodeName, a.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation]));
        Assert.Null(laid.Pods.Single(p => p.Metadata.Name == "b").Spec.NodeName); // another pod of that name
        Assert.Equal(1, written.Count); // b replaced, c gone

        written.Apply(Snapshot(Pod("a", "uid-a", "n1")));
        Assert.Equal(0, written.Count);
    }

    private static ClusterSnapshot Snapshot(params V1Pod[] pods) => new() { Now = DateTimeOffset.UnixEpoch, Pods = pods };

    private static V1Pod Pod(string name, string uid, string? node) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", Uid = uid },
        Spec = new V1PodSpec { NodeName = node, Containers = [] },
    };

    private static V1Pod SharePod(string name, int milli)
    {
        var pod = Objects.Pod(name, gpus: 1, queue: "team-a");
        pod.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.GpuShareRequestAnnotation] = milli.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return pod;
    }

    /// <summary>Milli-GPU of the pods bound to GPU 0 on the server (terminating pods included).</summary>
    private static int BoundMilli(ControllerHarness h) => h.Server.List<V1Pod>(Objects.Ns)
        .Where(p => !string.IsNullOrEmpty(p.Spec.NodeName) && p.Metadata.Annotations is { } a && a.TryGetValue(KubernetesNames.GpuIndicesAnnotation, out var g) && g == "0")
        .Sum(p => int.Parse(p.Metadata.Annotations[KubernetesNames.GpuMilliAnnotation], System.Globalization.CultureInfo.InvariantCulture));

    private static async Task WaitUntilCachedAsync(ControllerHarness h, string pod)
    {
        for (var i = 0; i < 2000 && h.Controller.Cache.Pods.Get(Objects.Ns + "/" + pod) is null; i++)
        {
            await Task.Delay(5);
        }

        Assert.NotNull(h.Controller.Cache.Pods.Get(Objects.Ns + "/" + pod));
    }
}
