using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.TestKit.Kubernetes.Fake;
using Berth.TestKit;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// One write the API server refuses stops nothing else: the action fails alone, its object waits out a backoff
/// (the injected clock decides when), a permanent refusal leaves a condition and an event on the workload, and
/// unrelated work is scheduled meanwhile.
/// </summary>
public sealed class ActionFailureTests
{
    [Fact]
    public async Task VictimCoveredByTwoDisruptionBudgets_EvictionFailsAlone_UnrelatedPodIsBoundAndTheVictimIsMarked()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(3, 8, Objects.Queue("team-a", "a100", "8", reclaim: "Never"), Objects.Queue("team-b", "a100", "8"));
        h.SeedGroup("low", 1, 1, 8);
        Assert.Single((await h.CycleAsync()).Bindings);
        foreach (var name in new[] { "budget-1", "budget-2" })
        {
            await h.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(Budget(name, "low"), Objects.Ns);
        }

        var high = Objects.Group("high", 1, "team-a");
        high.Spec = high.Spec with { PriorityClassName = "high" };
        h.Server.Seed(Objects.PriorityClass("high", 100));
        h.Server.Seed(high);
        h.Server.Seed(Objects.Pod("high-0", gpus: 8, group: "high"));
        var preempting = await h.CycleAsync();

        // The eviction API answers 500 for a pod under two budgets; that action fails, the plan's other writes are made.
        Assert.Equal("low-0", Assert.Single(preempting.Evictions).Pod);
        Assert.Equal(1, h.Server.RequestCount("create", "pods/eviction"));
        var failed = Assert.Single(h.Controller.LastResult!.Failures);
        Assert.Equal((PlanExecutor.PodKey(Objects.Ns, "low-0"), 500, false), (failed.Key, failed.StatusCode, failed.Permanent));
        Assert.NotNull(AdmissionRecord.Parse(h.Server.Get<PodGroup>("high", Objects.Ns)!.Metadata.Annotations));

        // The next cycle binds an unrelated pod on a free node, and does not hammer the refused eviction.
        h.Server.Seed(Objects.Pod("free", gpus: 8, queue: "team-b"));
        var next = await h.CycleAsync();
        Assert.Contains(next.Bindings, b => b.Pod == "free");
        Assert.NotNull(h.ReadPod("free").Spec.NodeName);
        Assert.Equal(1, h.Server.RequestCount("create", "pods/eviction"));
        Assert.Contains(PlanExecutor.PodKey(Objects.Ns, "low-0"), h.Controller.LastResult!.DeferredKeys);

        // Tried again as each backoff passes (1, 2, 4, 8 s); the fifth server error in a row is a permanent refusal.
        var delay = ActionBackoff.Base;
        for (var attempt = 2; attempt <= ActionBackoff.ServerErrorBudget; attempt++)
        {
            time.Advance(delay.TotalSeconds + 0.001);
            await h.CycleAsync();
            Assert.Equal(attempt, h.Server.RequestCount("create", "pods/eviction"));
            delay *= 2;
        }

        Assert.True(Assert.Single(h.Controller.LastResult!.Failures).Permanent);
        await h.SettleAsync();
        var condition = h.Server.Get<PodGroup>("low", Objects.Ns)!.Status.Conditions!.Single(c => c.Type == ConditionTypes.ActionRefused);
        Assert.Equal(("True", PlanExecutor.RefusedReason), (condition.Status, condition.Reason));
        Assert.Contains("evict pod default/low-0", condition.Message, StringComparison.Ordinal);
        Assert.Contains("more than one PodDisruptionBudget", condition.Message, StringComparison.Ordinal);
        Assert.Single(h.Server.List<Corev1Event>(Objects.Ns), e => e.Reason == PlanExecutor.RefusedReason && e.InvolvedObject.Name == "low" && e.Type == "Warning");

        // Once one budget goes, the eviction goes through after the longest delay, and the preemptor is bound.
        await h.Client.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync("budget-2", Objects.Ns);
        await h.CycleAsync();
        Assert.Equal(ActionBackoff.ServerErrorBudget, h.Server.RequestCount("create", "pods/eviction"));
        time.Advance(ActionBackoff.Max.TotalSeconds + 0.001);
        await h.CycleAsync();
        Assert.Null(h.ReadPodOrNull("low-0"));
        await h.CycleAsync();
        Assert.NotNull(h.ReadPod("high-0").Spec.NodeName);
    }

    [Fact]
    public async Task JobUpdateDeniedByAnAdmissionWebhook_OtherWorkIsScheduled_TheJobIsMarkedAndNotRetriedAtOnce()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "8"), Objects.Queue("team-b", "a100", "8"));
        var webhook = h.Server.AddAdmissionWebhook(a => a is { Verb: "update", Resource: "jobs", Name: "denied" }
            ? new WebhookDenial("jobs.policy.example.com", "changes to this Job are frozen")
            : null);
        h.Server.Seed(Objects.Job("denied", 1, 8, "team-a"));

        var first = await h.CycleAsync();

        Assert.Equal("denied", Assert.Single(first.JobAdmissions).Name);
        var failed = Assert.Single(h.Controller.LastResult!.Failures);
        Assert.Equal((PlanExecutor.JobKey(Objects.Ns, "denied"), 403, true), (failed.Key, failed.StatusCode, failed.Permanent));
        Assert.True(h.ReadJob("denied").Spec.Suspend);
        await h.SettleAsync();
        var condition = h.ReadJob("denied").Status.Conditions.Single(c => c.Type == ConditionTypes.ActionRefused);
        Assert.Equal(("True", PlanExecutor.RefusedReason), (condition.Status, condition.Reason));
        Assert.Contains("admission webhook \"jobs.policy.example.com\" denied the request: changes to this Job are frozen", condition.Message, StringComparison.Ordinal);
        Assert.Single(h.Server.List<Corev1Event>(Objects.Ns), e => e.Reason == PlanExecutor.RefusedReason && e.InvolvedObject is { Kind: "Job", Name: "denied" });

        // An unrelated pod on the free node is bound in the next cycle; the denied Job is not written again at once.
        var updates = h.Server.RequestCount("update", "jobs");
        h.Server.Seed(Objects.Pod("free", gpus: 8, queue: "team-b"));
        var next = await h.CycleAsync();
        Assert.Contains(next.Bindings, b => b.Pod == "free");
        Assert.NotNull(h.ReadPod("free").Spec.NodeName);
        Assert.Equal(updates, h.Server.RequestCount("update", "jobs"));
        Assert.DoesNotContain(h.Server.List<Corev1Event>(Objects.Ns), e => e.Reason == "Admitted" && e.InvolvedObject.Name == "denied"); // what did not happen is not announced

        // The webhook is fixed: after the backoff the Job is admitted, with no second report.
        webhook.Dispose();
        time.Advance(ActionBackoff.Max.TotalSeconds + 0.001);
        await h.CycleAsync();
        Assert.False(h.ReadJob("denied").Spec.Suspend);
        Assert.Single(h.Server.List<Corev1Event>(Objects.Ns), e => e.Reason == PlanExecutor.RefusedReason);
        Assert.Single(h.Server.List<Corev1Event>(Objects.Ns), e => e.Reason == "Admitted" && e.InvolvedObject.Name == "denied");
    }

    [Fact]
    public async Task BindingsFailWithServerErrors_OnlyThosePodsWait_OthersOfThePlanAreBound()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        for (var i = 0; i < 4; i++)
        {
            h.Server.Seed(Objects.Pod($"p{i}", gpus: 2, queue: "team-a"));
        }

        h.Server.FailNext("create", "pods/binding", 503, times: 2);
        var plan = await h.CycleAsync();

        Assert.Equal(4, plan.Bindings.Count);
        Assert.Equal(2, h.Server.Bindings.Count);
        Assert.Equal(2, h.Controller.LastResult!.BindFailures);
        Assert.All(h.Controller.LastResult.Failures, f => Assert.Equal((503, false), (f.StatusCode, f.Permanent)));

        // Held back until their backoff passes, then bound where their records say.
        await h.CycleAsync();
        Assert.Equal(2, h.Server.Bindings.Count);
        time.Advance(ActionBackoff.Base.TotalSeconds + 0.001);
        await h.CycleAsync();
        Assert.Equal(4, h.Server.Bindings.Select(b => b.Pod).Distinct().Count());
        Assert.Equal(4, h.Server.Bindings.Count);
    }

    [Theory]
    [InlineData(400, true)]
    [InlineData(403, true)]
    [InlineData(422, true)]
    [InlineData(409, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void Backoff_RefusalOrRetry_ByStatusCode(int code, bool permanent)
    {
        var time = new ManualTime();
        var backoff = new ActionBackoff(time);

        var failure = backoff.RecordFailure("pod/ns/p", code);

        Assert.Equal(permanent, failure.Permanent);
        Assert.Equal(permanent ? ActionBackoff.Max : ActionBackoff.Base, failure.Delay);
        Assert.True(backoff.IsHeld("pod/ns/p"));
        Assert.False(backoff.IsHeld("pod/ns/other"));
        time.Advance(failure.Delay.TotalSeconds);
        Assert.False(backoff.IsHeld("pod/ns/p"));
    }

    [Fact]
    public void Backoff_DoublesToTheMaximum_AndASuccessForgetsTheObject()
    {
        var time = new ManualTime();
        var backoff = new ActionBackoff(time);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 12; i++)
        {
            delays.Add(backoff.RecordFailure("job/ns/j", 409).Delay);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300], delays.Select(d => d.TotalSeconds));
        Assert.Equal(time.GetUtcNow() + ActionBackoff.Max, backoff.NextRetry());
        backoff.RecordSuccess("job/ns/j");
        Assert.False(backoff.IsHeld("job/ns/j"));
        Assert.Null(backoff.NextRetry());
    }

    [Fact]
    public void Backoff_ServerErrorsPastTheBudget_BecomePermanentOnce()
    {
        var backoff = new ActionBackoff(new ManualTime());
        var failures = Enumerable.Range(0, ActionBackoff.ServerErrorBudget + 2).Select(_ => backoff.RecordFailure("pod/ns/p", 500)).ToArray();

        Assert.All(failures[..(ActionBackoff.ServerErrorBudget - 1)], f => Assert.False(f.Permanent));
        Assert.True(failures[ActionBackoff.ServerErrorBudget - 1].NewlyPermanent);
        Assert.All(failures[ActionBackoff.ServerErrorBudget..], f => Assert.True(f.Permanent && !f.NewlyPermanent));
    }

    private static V1PodDisruptionBudget Budget(string name, string group) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Objects.Ns },
        Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 0, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [KubernetesNames.PodGroupLabel] = group } } },
    };
}
