using System.Diagnostics;
using System.Globalization;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Tests.Fake;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Scale;

/// <summary>
/// Warm restart: the fake API server holds a cluster as a previous Berth leader left it (pods bound with their GPU
/// annotations, PodGroups with admission records and status), a few gangs whose binding a crash interrupted (half bound,
/// the rest planned in the record), and pending gangs. A fresh controller starts; the clock runs until its first decision
/// is planned and written. The decision must bind exactly the pods that were unbound (the interrupted ones where their
/// record says), nothing already bound, and give no GPU more than it has. Run small by <c>ScaleScenarioTests</c>,
/// large by <c>scenario k8s-restart</c> in bench/Berth.Benchmarks.
/// </summary>
internal static class RestartScenario
{
    private const int SharedMilli = 500;
    private const int FirstFreeGpu = 5;

    public static async Task<RestartScenarioResult> RunAsync(RestartScenarioOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var perNode = (options.BoundPods + options.Nodes - 1) / options.Nodes;
        if (perNode > FirstFreeGpu * 2 || options.InterruptedGangs * 3 > options.Nodes || options.BoundPods % options.GangSize != 0 || options.GangSize > 9)
        {
            throw new ArgumentException("bound pods must fit ten to a node on GPUs 0-4, interrupted gangs three nodes each, and bound pods make whole gangs of at most 9", nameof(options));
        }

        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources }).ConfigureAwait(false);
        var seed = Stopwatch.StartNew();
        ScaleObjects.SeedCluster(server, options.Nodes, options.Queues);
        var admittedAt = DateTimeOffset.UtcNow.AddHours(-1);
        var expected = new Dictionary<string, (string Node, int Gpu)?>(StringComparer.Ordinal);
        var boundAtStart = SeedBound(server, options, perNode, admittedAt, progress);
        boundAtStart += SeedInterrupted(server, options, admittedAt, expected);
        SeedPending(server, options, expected);
        seed.Stop();
        var before = Snapshot(server);
        var pods = before.Pods.Count;
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"seeded {options.Nodes} nodes, {pods} pods ({boundAtStart} bound), {before.PodGroups.Count} pod groups in {seed.Elapsed.TotalSeconds:F1} s; starting a fresh controller"));

        using var client = server.CreateClient();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var controller = new BerthController(client, new ControllerOptions { RecordSeal = TestSeals.Key }, new MetricsRegistry(), TimeProvider.System, NullLoggerFactory.Instance) { IsLeader = true };
        var loop = controller.RunAsync(stop.Token);
        var synced = controller.Cache.Synced.ContinueWith(_ => clock.Elapsed, TaskScheduler.Default);
        var lastReport = TimeSpan.Zero;
        while (controller.Cycles == 0 && clock.Elapsed < options.Timeout && !loop.IsCompleted)
        {
            await Task.Delay(1).ConfigureAwait(false);
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalSeconds,5:F1} s: {controller.Cache.Pods.Count} pods and {controller.Cache.Nodes.Count} nodes listed, synced {controller.Cache.Synced.IsCompleted}"));
            }
        }

        var first = clock.Elapsed;
        var plan = controller.LastPlan;
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        var syncSeconds = synced.IsCompleted ? (await synced.ConfigureAwait(false)).TotalSeconds : double.NaN;

        var problems = new List<string>();
        if (plan is null)
        {
            problems.Add($"no decision within {options.Timeout}");
        }
        else
        {
            Check(server, before, plan, expected, problems);
        }

        var planSeconds = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var planClock = Stopwatch.StartNew();
            DecisionPlanner.Plan(before, new ControllerOptions { RecordSeal = TestSeals.Key });
            planSeconds = Math.Min(planSeconds, planClock.Elapsed.TotalSeconds);
        }

        return new RestartScenarioResult
        {
            Nodes = options.Nodes,
            Pods = pods,
            BoundAtStart = boundAtStart,
            SeedSeconds = seed.Elapsed.TotalSeconds,
            SyncSeconds = syncSeconds,
            FirstDecisionSeconds = first.TotalSeconds,
            PlanSeconds = planSeconds,
            Bindings = plan?.Bindings.Count ?? 0,
            ExpectedBindings = expected.Count,
            Writes = plan?.WriteCount ?? 0,
            Warnings = plan?.Warnings.Count ?? 0,
            WarningSamples = plan?.Warnings.Take(3).ToArray() ?? [],
            Problems = problems,
        };
    }

    private static string Name(string prefix, int g) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{g:D5}");

    private static string Queue(int g, RestartScenarioOptions options) => ScaleObjects.QueueName(g % options.Queues);

    /// <summary>Gangs admitted and fully bound: pod i on node i / perNode, GPU (i mod perNode) / 2, half a GPU each.</summary>
    private static int SeedBound(FakeApiServer server, RestartScenarioOptions options, int perNode, DateTimeOffset admittedAt, Action<string>? progress)
    {
        var gangs = options.BoundPods / options.GangSize;
        for (var g = 0; g < gangs; g++)
        {
            var name = Name("run", g);
            var planned = new PlannedPod[options.GangSize];
            for (var m = 0; m < options.GangSize; m++)
            {
                var i = g * options.GangSize + m;
                var node = ScaleObjects.NodeName(i / perNode);
                var gpu = i % perNode / 2;
                planned[m] = new PlannedPod(0, node, [gpu], SharedMilli);
                server.Seed(ScaleObjects.Bound(ScaleObjects.Member($"{name}-{m}", name, SharedMilli), node, gpu, SharedMilli));
            }

            server.Seed(ScaleObjects.Admitted(name, options.GangSize, Queue(g, options), planned, admittedAt, allBound: true));
            if (progress is not null && (g + 1) % 1000 == 0)
            {
                progress(string.Create(CultureInfo.InvariantCulture, $"  seeded {(g + 1) * options.GangSize} bound pods"));
            }
        }

        return gangs * options.GangSize;
    }

    /// <summary>Gangs admitted with whole GPUs 5-7 of three nodes each; the first half of each bound, the rest expected where the record says.</summary>
    private static int SeedInterrupted(FakeApiServer server, RestartScenarioOptions options, DateTimeOffset admittedAt, Dictionary<string, (string Node, int Gpu)?> expected)
    {
        var bound = 0;
        for (var k = 0; k < options.InterruptedGangs; k++)
        {
            var name = Name("resumed", k);
            var planned = new PlannedPod[options.GangSize];
            for (var m = 0; m < options.GangSize; m++)
            {
                var node = ScaleObjects.NodeName(k * 3 + m / 3);
                var gpu = FirstFreeGpu + m % 3;
                planned[m] = new PlannedPod(0, node, [gpu], 1000);
                var pod = ScaleObjects.Member($"{name}-{m}", name);
                if (m < options.GangSize / 2)
                {
                    server.Seed(ScaleObjects.Bound(pod, node, gpu, 1000));
                    bound++;
                }
                else
                {
                    server.Seed(pod);
                    expected[pod.Metadata.Name] = (node, gpu);
                }
            }

            server.Seed(ScaleObjects.Admitted(name, options.GangSize, Queue(k, options), planned, admittedAt, allBound: false));
        }

        return bound;
    }

    private static void SeedPending(FakeApiServer server, RestartScenarioOptions options, Dictionary<string, (string Node, int Gpu)?> expected)
    {
        for (var g = 0; g < options.PendingGangs; g++)
        {
            var name = Name("new", g);
            server.Seed(Objects.Group(name, options.GangSize, Queue(g, options)));
            for (var m = 0; m < options.GangSize; m++)
            {
                var pod = server.Seed(ScaleObjects.Member($"{name}-{m}", name));
                expected[pod.Metadata.Name] = null;
            }
        }
    }

    private static ClusterSnapshot Snapshot(FakeApiServer server) => new()
    {
        Now = DateTimeOffset.UtcNow,
        Nodes = server.List<V1Node>(),
        Pods = server.List<V1Pod>(),
        Queues = server.List<Queue>(),
        Flavors = server.List<Flavor>(),
        PodGroups = server.List<PodGroup>(),
    };

    /// <summary>The first decision binds each pod that was unbound once (interrupted ones where planned), nothing else, and overfills no GPU.</summary>
    private static void Check(FakeApiServer server, ClusterSnapshot before, DecisionPlan plan, Dictionary<string, (string Node, int Gpu)?> expected, List<string> problems)
    {
        var wasBound = before.Pods.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).Select(p => p.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var twice = plan.Bindings.Where(b => wasBound.Contains(b.Pod)).Select(b => b.Pod).ToList();
        if (twice.Count > 0)
        {
            problems.Add($"{twice.Count} bindings of pods already bound, e.g. {twice[0]}");
        }

        var repeated = plan.Bindings.GroupBy(b => b.Pod, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            problems.Add($"{repeated.Count} pods bound more than once in the decision, e.g. {repeated[0]}");
        }

        var missing = expected.Keys.Except(plan.Bindings.Select(b => b.Pod), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"{missing.Count} pending pods not bound by the first decision, e.g. {missing[0]}");
        }

        foreach (var b in plan.Bindings)
        {
            if (expected.GetValueOrDefault(b.Pod) is { } place
                && (b.Node != place.Node || b.Annotations.GetValueOrDefault(KubernetesNames.GpuIndicesAnnotation) != place.Gpu.ToString(CultureInfo.InvariantCulture)))
            {
                problems.Add($"{b.Pod} bound to {b.Node} GPU {b.Annotations.GetValueOrDefault(KubernetesNames.GpuIndicesAnnotation)}; its record says {place.Node} GPU {place.Gpu}");
            }
        }

        if (server.Bindings.Count != plan.Bindings.Count)
        {
            problems.Add($"the server accepted {server.Bindings.Count} bindings of the {plan.Bindings.Count} planned");
        }

        foreach (var ((node, gpu), milli) in ScaleObjects.GpuUse(server.List<V1Pod>()).Where(u => u.Value > 1000))
        {
            problems.Add($"GPU {gpu} of {node} holds {milli} milli-GPU");
        }

        if (plan.Evictions.Count > 0 || plan.Suspensions.Count > 0)
        {
            problems.Add($"the first decision evicts {plan.Evictions.Count} pods and suspends {plan.Suspensions.Count} Jobs");
        }
    }
}
