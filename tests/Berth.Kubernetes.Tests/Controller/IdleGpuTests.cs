using System.Net;
using Berth.Engine.Admission;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Telemetry;
using Berth.Kubernetes.Tests.Telemetry;
using Berth.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// A queued Job runs; Prometheus (canned) says how busy its pod's GPUs are; the queue's <c>spec.idleGpus</c> decides.
/// Policies here: idle after 10 minutes at or below 5%, reclaimed 5 minutes later.
/// </summary>
public sealed class IdleGpuTests
{
    private static readonly TimeSpan PastGrace = TimeSpan.FromMinutes(16);

    public sealed record LyingTelemetry(string Case, Action<CannedPrometheus, DateTimeOffset> Answer);

    public static TheoryData<LyingTelemetry> Lies => new()
    {
        new("A stale sample (10 minutes old) is ignored", (p, now) => p.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0", now - TimeSpan.FromMinutes(10)))),
        new("A NaN sample is ignored", (p, now) => p.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "NaN", now))),
        new("A negative sample is ignored", (p, now) => p.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "-1", now))),
        new("Malformed JSON is ignored", (p, _) => p.Body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"namespace\":\""),
        new("An HTTP 500 is ignored", (p, _) => p.Status = HttpStatusCode.InternalServerError),
        new("Prometheus down is ignored", (p, _) => p.Down = true),
        new("A sample for another pod says nothing about this one", (p, now) => p.Body = CannedPrometheus.Vector((Objects.Ns, "someone-else", "0", now))),
    };

    [Fact]
    public async Task IdleJob_UnderNotify_GetsTheIdleGpuEventAndKeepsRunning()
    {
        var (h, time, prometheus, telemetry) = await StartAsync("Notify");
        await using var _ = h;
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.01", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);

        var plan = await h.CycleAsync();

        var idle = Assert.Single(plan.Events, e => e.Reason == IdleGpus.IdleReason);
        Assert.Equal("train", idle.About.Name);
        Assert.Contains("GPU activity 1 %", idle.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Metrics.Value("berth_idle_workloads", ("queue", "team-a")));
        Assert.Empty(plan.Suspensions);
        Assert.NotEqual(true, h.ReadJob("train").Spec.Suspend);

        // Still idle at the next decision: no second event. Busy, then idle again: a new one.
        time.Advance(30);
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.DoesNotContain((await h.CycleAsync()).Events, e => e.Reason == IdleGpus.IdleReason);
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.7", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.DoesNotContain((await h.CycleAsync()).Events, e => e.Reason == IdleGpus.IdleReason);
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.Single((await h.CycleAsync()).Events, e => e.Reason == IdleGpus.IdleReason);
    }

    [Fact]
    public async Task DcgmActivity_FillsTheViewsUsedAndIdleGpus_OnTheTimelineAndTheQueue()
    {
        var (h, time, prometheus, telemetry) = await StartAsync("Notify");
        await using var _ = h;
        var views = new Berth.Kubernetes.Views.OperatorViews(h.Controller, time);
        Assert.All(views.Timeline(Berth.Web.ViewScope.All, null).Points, p => Assert.Null(p.Used)); // no activity read yet: not known, not 0
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.25", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);

        await h.CycleAsync();

        var point = views.Timeline(Berth.Web.ViewScope.All, null).Points[^1];
        Assert.Equal((8.0, 2.0, 6.0), (point.Allocated, point.Used, point.IdleAllocated));
        var queue = Assert.Single(views.Queues(Berth.Web.ViewScope.All), q => q.Name == "team-a");
        Assert.Equal((2.0, 6.0), (queue.UsedGpus, queue.IdleGpus));
    }

    [Fact]
    public async Task IdleJob_UnderReclaim_IsStoppedForGoodAndNotAdmittedAgain()
    {
        var (h, time, prometheus, telemetry) = await StartAsync("Reclaim");
        await using var _ = h;
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        var stop = Assert.Single(plan.Suspensions);
        Assert.Equal(IdleGpus.ReclaimedReason, stop.Reason);
        var job = h.ReadJob("train");
        Assert.True(job.Spec.Suspend);
        Assert.True(job.Metadata.Annotations.ContainsKey(KubernetesNames.IdleReclaimedAnnotation));
        Assert.Equal(1, h.Metrics.Value("berth_evictions_total", ("reason", IdleGpus.ReclaimedReason)));

        // Its pods go; the queue has room again, and still the Job stays stopped with a reason that says how to run it again.
        await h.ActAsJobControllerAsync();
        time.Advance(60);
        var after = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(after.JobAdmissions);
        var reason = h.ReadJob("train").Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation];
        Assert.StartsWith(IdleGpus.ReclaimedReason + ":", reason, StringComparison.Ordinal);
        Assert.Contains(KubernetesNames.IdleReclaimedAnnotation, reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdlePodGroup_UnderReclaim_IsEvictedFailedAndNotBoundAgain()
    {
        var time = new ManualTime();
        var (prometheus, telemetry) = Telemetry(time);
        await using var h = await ControllerHarness.StartAsync(time: time, telemetry: telemetry);
        h.SeedCluster(1, 8, IdleQueue("Reclaim"));
        h.SeedGroup("train", 1, 1, 8);
        Assert.Single((await h.CycleAsync()).Bindings);
        time.Advance(PastGrace.TotalSeconds);
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal("train-0", Assert.Single(plan.Evictions).Pod);
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal(PodGroupPhases.Failed, group.Status.Phase);
        Assert.True(group.Metadata.Annotations.ContainsKey(KubernetesNames.IdleReclaimedAnnotation));

        // Its pod comes back (as an operator recreates it): it is not bound again.
        if (h.ReadPodOrNull("train-0") is null)
        {
            h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));
        }

        time.Advance(60);
        var after = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Empty(after.Bindings);
        Assert.Equal(IdleGpus.ReclaimedReason, h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.PendingReason?.Code);
    }

    [Fact]
    public async Task IdleJob_UnderNotify_IsAnnotatedWhileIdle_AndMetricsShowItsYield()
    {
        var (h, time, prometheus, telemetry) = await StartAsync("Notify");
        await using var _ = h;
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.01", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        await h.SettleAsync();

        Assert.Contains("GPU activity 1 %", h.ReadJob("train").Metadata.Annotations[KubernetesNames.GpuIdleAnnotation], StringComparison.Ordinal);
        Assert.Equal(8, h.Metrics.Value("berth_queue_gpus_allocated", ("queue", "team-a")));
        Assert.Equal(0.08, h.Metrics.Value("berth_queue_gpus_used", ("queue", "team-a")), 6);
        Assert.Equal(7.92, h.Metrics.Value("berth_queue_gpus_idle_allocated", ("queue", "team-a")), 6);
        Assert.Equal(0.01, h.Metrics.Value("berth_gpu_yield_ratio"), 6);

        // Busy again: the annotation goes, and the next decision writes nothing more for it.
        time.Advance(30);
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.9", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        await h.SettleAsync();
        Assert.False(h.ReadJob("train").Metadata.Annotations.ContainsKey(KubernetesNames.GpuIdleAnnotation));
        Assert.Equal(0.8, h.Metrics.Value("berth_queue_gpus_idle_allocated", ("queue", "team-a")), 6); // 8 GPUs at 90%
        Assert.Empty((await h.CycleAsync()).Annotations);
    }

    [Fact]
    public async Task IdlePodGroup_UnderNotify_HasTheGpuIdleCondition_UntilBusy()
    {
        var time = new ManualTime();
        var (prometheus, telemetry) = Telemetry(time);
        await using var h = await ControllerHarness.StartAsync(time: time, telemetry: telemetry);
        h.SeedCluster(1, 8, IdleQueue("Notify"));
        h.SeedGroup("train", 1, 1, 8);
        Assert.Single((await h.CycleAsync()).Bindings);
        await h.SettleAsync();
        time.Advance(11 * 60);
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        await h.SettleAsync();

        var idle = Assert.Single(h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.Conditions!, c => c.Type == ConditionTypes.GpuIdle);
        Assert.Equal(("True", IdleGpus.IdleReason), (idle.Status, idle.Reason));
        Assert.Contains("GPU activity 0 %", idle.Message, StringComparison.Ordinal);

        time.Advance(30);
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.6", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        await h.SettleAsync();
        Assert.DoesNotContain(h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.Conditions!, c => c.Type == ConditionTypes.GpuIdle);
    }

    [Fact]
    public async Task BusyJob_UnderReclaim_KeepsRunning()
    {
        var (h, time, prometheus, telemetry) = await StartAsync("Reclaim");
        await using var _ = h;
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.8", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);

        var plan = await h.CycleAsync();

        Assert.Empty(plan.Suspensions);
        Assert.DoesNotContain(plan.Events, e => e.Reason == IdleGpus.IdleReason);
        Assert.Equal(0, h.Metrics.Value("berth_idle_workloads", ("queue", "team-a")));
    }

    [Fact]
    public async Task IdleNonPreemptibleJob_UnderReclaim_IsOnlyReported()
    {
        var (h, time, prometheus, telemetry) = await StartAsync("Reclaim", preemptible: false);
        await using var _ = h;
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);

        var plan = await h.CycleAsync();

        Assert.Empty(plan.Suspensions);
        Assert.Single(plan.Events, e => e.Reason == IdleGpus.IdleReason);
    }

    [Theory]
    [MemberData(nameof(Lies))]
    public async Task TelemetryThatLies_UnderReclaim_NeverEvicts(LyingTelemetry lie)
    {
        var (h, time, prometheus, telemetry) = await StartAsync("Reclaim");
        await using var _ = h;
        lie.Answer(prometheus, time.GetUtcNow());
        await telemetry.RefreshAsync(CancellationToken.None);

        var plan = await h.CycleAsync();

        Assert.Empty(plan.Suspensions);
        Assert.Empty(plan.Evictions);
        Assert.DoesNotContain(plan.Events, e => e.Reason == IdleGpus.IdleReason);
        Assert.NotEqual(true, h.ReadJob("train").Spec.Suspend);
    }

    private static (CannedPrometheus, GpuTelemetry) Telemetry(TimeProvider time)
    {
        var prometheus = new CannedPrometheus();
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090"), MaxSampleAge = TimeSpan.FromMinutes(2) };
        return (prometheus, new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, null));
    }

    private static Berth.Kubernetes.Api.Queue IdleQueue(string action)
    {
        var queue = Objects.Queue("team-a", "a100", "8");
        queue.Spec = queue.Spec with { IdleGpus = new IdleGpusSpec { After = "10m", Below = 0.05, Action = action, Grace = "5m" } };
        return queue;
    }

    /// <summary>A cluster with one queue under <paramref name="action"/>, a one-pod Job admitted and running, and the clock past the grace period.</summary>
    private static async Task<(ControllerHarness, ManualTime, CannedPrometheus, GpuTelemetry)> StartAsync(string action, bool preemptible = true)
    {
        var time = new ManualTime();
        var (prometheus, telemetry) = Telemetry(time);
        var h = await ControllerHarness.StartAsync(time: time, telemetry: telemetry);
        h.SeedCluster(1, 8, IdleQueue(action));
        var job = Objects.Job("train", 1, 8, "team-a");
        if (!preemptible)
        {
            job.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.PreemptibleAnnotation] = "false" };
        }

        h.Server.Seed(job);
        Assert.Single((await h.CycleAsync()).JobAdmissions);
        await h.ActAsJobControllerAsync();
        time.Advance(PastGrace.TotalSeconds);
        return (h, time, prometheus, telemetry);
    }
}
