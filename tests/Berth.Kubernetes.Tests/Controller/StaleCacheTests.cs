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

    /// <summary>
    /// Found by the chaos harness's reasoning about lone pods (issue 12): a lone pod has no admission record, so a
    /// replica that takes over knows of its predecessor's last binding only from its watch. If that lags, the new leader
    /// saw the GPU as free and gave it to a more urgent pod: two pods on one GPU.
    /// </summary>
    [Fact]
    public async Task NewLeader_WatchLagsBehindThePreviousLeadersBindingOfALonePod_GivesItsGpuToNoOneElse()
    {
        var time = new ManualTime();
        var options = new ControllerOptions { ObserveTimeout = TimeSpan.FromMilliseconds(50) };
        await using var h = await ControllerHarness.StartAsync(options, time: time);
        h.SeedCluster(1, 1, Objects.Queue("team-a", "a100", "4"));
        h.Server.Seed(Objects.PriorityClass("urgent", 1000));
        using var followerClient = h.Server.CreateClient();
        using var stopFollower = new CancellationTokenSource();
        var follower = new BerthController(followerClient, options with { RecordSeal = ControllerHarness.TestSeal }, new Operator.MetricsRegistry(), time, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var followerCache = follower.Cache.RunAsync(stopFollower.Token);
        await follower.Cache.Synced.WaitAsync(TimeSpan.FromSeconds(10));
        h.Server.Seed(Objects.Pod("first", gpus: 1, queue: "team-a"));
        await h.SettleAsync();
        await WaitUntilAsync(() => follower.Cache.Pods.Get(Objects.Ns + "/first") is not null);

        // The leader binds the lone pod; no watch shows it. Then the leader is gone.
        h.Server.DelayBindingEvents();
        var plan = await h.Controller.RunCycleAsync(CancellationToken.None);
        Assert.Equal("first", Assert.Single(plan.Bindings).Pod);
        Assert.Equal("node-00", h.ReadPod("first").Spec.NodeName);
        h.Controller.IsLeader = false;

        // A more urgent pod for the same GPU arrives; the follower sees it, not the binding.
        var urgent = Objects.Pod("urgent", gpus: 1, queue: "team-a");
        urgent.Spec.PriorityClassName = "urgent";
        urgent.Spec.Priority = 1000;
        h.Server.Seed(urgent);
        await WaitUntilAsync(() => follower.Cache.Pods.Get(Objects.Ns + "/urgent") is not null);
        Assert.True(string.IsNullOrEmpty(follower.Cache.Pods.Get(Objects.Ns + "/first")!.Spec.NodeName), "the follower's cache must still show the first pod unbound, or this test proves nothing");

        follower.IsLeader = true;
        var first = await follower.RunCycleAsync(CancellationToken.None);

        Assert.DoesNotContain(first.Bindings, b => b.Pod == "urgent");
        Assert.Null(h.ReadPod("urgent").Spec.NodeName);
        Assert.InRange(BoundMilli(h), 0, 1000);

        h.Server.ReleaseDelayedEvents();
        await stopFollower.CancelAsync();
        try
        {
            await followerCache;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
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

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition());
    }

    private static async Task WaitUntilCachedAsync(ControllerHarness h, string pod)
    {
        for (var i = 0; i < 2000 && h.Controller.Cache.Pods.Get(Objects.Ns + "/" + pod) is null; i++)
        {
            await Task.Delay(5);
        }

        Assert.NotNull(h.Controller.Cache.Pods.Get(Objects.Ns + "/" + pod));
    }
}
