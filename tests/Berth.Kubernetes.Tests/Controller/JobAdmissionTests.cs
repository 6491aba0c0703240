using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

public sealed class JobAdmissionTests
{
    [Fact]
    public async Task QueuedJobs_FromSeveralNamespaces_AdmittedOnlyUpToTheQueueQuota()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(4, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(Objects.Job("j1", 1, 8, "team-a", ns: "alpha"));
        h.Server.Seed(Objects.Job("j2", 1, 8, "team-a", ns: "beta"));
        h.Server.Seed(Objects.Job("j3", 1, 8, "team-a", ns: "gamma"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        var suspended = new[] { ("alpha", "j1"), ("beta", "j2"), ("gamma", "j3") }.Select(j => h.ReadJob(j.Item2, j.Item1).Spec.Suspend == true).ToArray();
        Assert.Equal(2, plan.JobAdmissions.Count);
        Assert.Equal(1, suspended.Count(s => s));
        Assert.True(suspended[2], "the newest Job waits: the queue's 16 GPUs hold two 8-GPU Jobs");
        var admitted = h.ReadJob("j1", "alpha");
        Assert.Equal("a100", admitted.Spec.Template.Spec.NodeSelector["pool"]);
        Assert.NotNull(AdmissionRecord.Parse(admitted.Metadata.Annotations));
        Assert.InRange(await h.RunUntilQuietAsync(), 1, 3); // a waiting Job's reason is written once, not every decision
        var waiting = h.ReadJob("j3", "gamma");
        Assert.StartsWith("QuotaExceeded", waiting.Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation], StringComparison.Ordinal);

        // The first Job finishes: its pods go, the third is admitted.
        await h.ActAsJobControllerAsync();
        var done = h.ReadJob("j1", "alpha");
        done.Status = new V1JobStatus { Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }] };
        await h.Client.BatchV1.ReplaceNamespacedJobStatusAsync(done, "j1", "alpha");
        var next = await h.CycleAsync();

        Assert.Equal("gamma", Assert.Single(next.JobAdmissions).Namespace);
    }

    [Fact]
    public async Task Borrowing_ThenReclaim_SuspendsTheBorrowerAndUnsuspendsTheOwner()
    {
        var time = new Berth.TestKit.ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.Server.Seed(Objects.Cohort("research"));
        h.SeedCluster(2, 8,
            Objects.Queue("team-a", "a100", "8", cohort: "research", borrowingLimit: "8"),
            Objects.Queue("team-b", "a100", "8", cohort: "research", reclaim: "Any"));
        h.Server.Seed(Objects.Job("a1", 1, 8, "team-a", ns: "alpha"));
        Assert.Single((await h.CycleAsync()).JobAdmissions);
        time.Advance(1); // a2 is admitted later than a1: the newest admission is the first victim
        await h.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("a2", 1, 8, "team-a", ns: "alpha"), "alpha");
        Assert.Single((await h.CycleAsync()).JobAdmissions); // a2 borrows team-b's idle quota
        await h.ActAsJobControllerAsync();
        await h.SettleAsync();
        var queueA = h.Server.Get<Berth.Kubernetes.Api.Queue>("team-a")!;
        Assert.Equal(2, queueA.Status.AdmittedWorkloads);
        Assert.Contains(queueA.Status.Usage!.Single().Resources!, r => r.Name == "gpu" && r.Total == "16" && r.Borrowed == "8");

        await h.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("b1", 1, 8, "team-b", ns: "beta"), "beta");
        var reclaim = await h.CycleAsync();
        await h.SettleAsync();

        var victim = Assert.Single(reclaim.Suspensions);
        Assert.Equal(("alpha", "a2"), (victim.Namespace, victim.Name));
        Assert.True(h.ReadJob("a2", "alpha").Spec.Suspend);
        Assert.False(h.ReadJob("a1", "alpha").Spec.Suspend);
        Assert.Contains(reclaim.Events, e => e.About.Name == "a2" && e.Type == "Warning" && e.Message.Contains("job/beta/b1", StringComparison.Ordinal));

        // The borrower's pods go (the Job controller deletes them); then the owner is admitted.
        await h.ActAsJobControllerAsync();
        await h.RunUntilQuietAsync();
        Assert.False(h.ReadJob("b1", "beta").Spec.Suspend);
        Assert.True(h.ReadJob("a2", "alpha").Spec.Suspend);
        Assert.Null(AdmissionRecord.Parse(h.ReadJob("a2", "alpha").Metadata.Annotations));
    }

    [Fact]
    public async Task JobCreatedUnsuspended_IsSuspendedUntilItsQueueAdmitsIt()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Objects.Job("eager", 1, 8, "team-a", suspend: false));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal("eager", Assert.Single(plan.Suspensions).Name);
        Assert.True(h.ReadJob("eager").Spec.Suspend);
        var next = await h.CycleAsync();
        Assert.Equal("eager", Assert.Single(next.JobAdmissions).Name);
    }
}

public sealed class ElasticJobTests
{
    [Fact]
    public async Task ElasticJob_RoomForItsMinimum_RunsWithThatParallelism_AndAsksForAllAgainWhenSuspended()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8", reclaim: "Never"));
        var job = Objects.Job("elastic", 4, 4, "team-a");
        job.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.MinParallelismAnnotation] = "2" };
        h.Server.Seed(job);

        await h.CycleAsync();
        await h.SettleAsync();
        var admitted = h.ReadJob("elastic");
        Assert.False(admitted.Spec.Suspend);
        Assert.Equal(2, admitted.Spec.Parallelism);
        Assert.Equal("4", admitted.Metadata.Annotations[PlanExecutor.OriginalParallelismAnnotation]);
        await h.ActAsJobControllerAsync();
        Assert.InRange(await h.RunUntilQuietAsync(), 1, 3);

        // A higher-priority Job preempts it: suspended, it asks for its 4 pods again.
        h.Server.Seed(Objects.PriorityClass("urgent", 1000));
        h.Server.Seed(Objects.Job("urgent", 1, 8, "team-a", priorityClass: "urgent"));
        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal("elastic", Assert.Single(plan.Suspensions).Name);
        var suspended = h.ReadJob("elastic");
        Assert.True(suspended.Spec.Suspend);
        Assert.Equal(4, suspended.Spec.Parallelism);
        Assert.False(suspended.Metadata.Annotations.ContainsKey(PlanExecutor.OriginalParallelismAnnotation));
    }
}

public sealed class BerthScheduledJobTests
{
    [Fact]
    public async Task JobWithSchedulerNameBerth_ItsPodsAreBoundToThePlannedPlacesWithGpuAnnotations()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        var job = Objects.Job("dist", 2, 8, "team-a");
        job.Spec.Template.Spec.SchedulerName = KubernetesNames.SchedulerName;
        h.Server.Seed(job);

        Assert.Single((await h.CycleAsync()).JobAdmissions);
        await h.ActAsJobControllerAsync();
        var plan = await h.CycleAsync();
        await h.SettleAsync();

        var record = AdmissionRecord.Parse(h.ReadJob("dist").Metadata.Annotations)!;
        Assert.Equal(2, plan.Bindings.Count);
        var placed = Enumerable.Range(0, 2).Select(i => h.ReadPod($"dist-{i}")).Select(p => (p.Spec.NodeName, p.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation])).Order().ToArray();
        Assert.Equal(record.Pods.Select(p => (p.Node, string.Join(',', p.Gpus))).Order().ToArray(), placed);
        Assert.Empty((await h.CycleAsync()).Bindings);
    }
}

public sealed class DefaultQueueTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("team-a")]
    public async Task PodWithoutQueueLabel_WaitsWithQueueMissing_OrGoesToTheDefaultQueue(string? defaultQueue)
    {
        await using var h = await ControllerHarness.StartAsync(new ControllerOptions { DefaultQueue = defaultQueue });
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Objects.Pod("stray", gpus: 1));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        if (defaultQueue is null)
        {
            Assert.Empty(plan.Bindings);
            var condition = h.ReadPod("stray").Status.Conditions.Single(c => c.Type == "PodScheduled");
            Assert.Equal("QueueMissing", condition.Reason);
            Assert.Contains(KubernetesNames.QueueLabel, condition.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("stray", Assert.Single(plan.Bindings).Pod);
        }
    }
}
