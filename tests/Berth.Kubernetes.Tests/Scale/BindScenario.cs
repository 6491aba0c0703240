using System.Diagnostics;
using System.Globalization;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Tests.Fake;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Scale;

/// <summary>
/// Bind throughput end to end: the fake API server holds the nodes, the queues, and gangs of pending pods with their
/// PodGroups; a controller runs its real loop (informers, decisions on every change, the executor's writes) and the
/// clock runs from the moment every pod exists on the server until the server has bound the last one. While the pods
/// are created the controller follows the server but does not lead; the clock starts when it is made leader. Run small
/// by <c>ScaleScenarioTests</c>, large by <c>scenario k8s-bind</c> in bench/Berth.Benchmarks.
/// </summary>
internal static class BindScenario
{
    public static async Task<BindScenarioResult> RunAsync(BindScenarioOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var serverAlone = options.ServerAloneParallelism > 0 ? await ServerAloneAsync(options, progress).ConfigureAwait(false) : (0.0, 0.0);

        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources }).ConfigureAwait(false);
        ScaleObjects.SeedCluster(server, options.Nodes, options.Queues);
        using var client = server.CreateClient();
        var controllerOptions = new ControllerOptions { RecordSeal = TestSeals.Key };
        var controller = new BerthController(client, controllerOptions, new MetricsRegistry(), TimeProvider.System, NullLoggerFactory.Instance) { IsLeader = false };
        using var stop = new CancellationTokenSource();
        var loop = controller.RunAsync(stop.Token);
        await controller.Cache.Synced.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);

        var seed = Stopwatch.StartNew();
        SeedGangs(server, options);
        seed.Stop();
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"seeded {options.Pods} pods in {options.Gangs} pod groups on {options.Nodes} nodes in {seed.Elapsed.TotalSeconds:F2} s; binding"));
        var atStart = Snapshot(server);
        var inCache = controller.Cache.Pods.Count;

        var clock = Stopwatch.StartNew();
        controller.IsLeader = true;
        var bound = 0;
        var lastReport = TimeSpan.Zero;
        while (bound < options.Pods && clock.Elapsed < options.Timeout)
        {
            await Task.Delay(2).ConfigureAwait(false);
            bound = server.Bindings.Count;
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalSeconds,5:F1} s: {bound}/{options.Pods} bound, {controller.Cycles} decisions"));
            }
        }

        clock.Stop();
        var cycles = controller.Cycles;
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);

        var problems = Check(server, options);
        var planSeconds = double.MaxValue;
        DecisionPlan? planned = null;
        for (var i = 0; i < 3; i++)
        {
            var plan = Stopwatch.StartNew();
            planned = DecisionPlanner.Plan(atStart, controllerOptions);
            planSeconds = Math.Min(planSeconds, plan.Elapsed.TotalSeconds);
        }

        return new BindScenarioResult
        {
            Pods = options.Pods,
            Bound = bound,
            Seconds = clock.Elapsed.TotalSeconds,
            SeedSeconds = seed.Elapsed.TotalSeconds,
            PodsInCacheAtStart = inCache,
            Cycles = cycles,
            PlanSeconds = planSeconds,
            PlannedBindings = planned!.Bindings.Count,
            ServerAloneSequentialPodsPerSecond = serverAlone.Item1,
            ServerAloneParallelPodsPerSecond = serverAlone.Item2,
            Problems = problems,
        };
    }

    private static string GroupName(int g) => string.Create(CultureInfo.InvariantCulture, $"train-{g:D5}");

    private static void SeedGangs(FakeApiServer server, BindScenarioOptions options)
    {
        for (var g = 0; g < options.Gangs; g++)
        {
            server.Seed(Objects.Group(GroupName(g), options.GangSize, ScaleObjects.QueueName(g % options.Queues)));
            for (var i = 0; i < options.GangSize; i++)
            {
                server.Seed(ScaleObjects.Member(string.Create(CultureInfo.InvariantCulture, $"{GroupName(g)}-{i}"), GroupName(g)));
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

    /// <summary>Every pod bound exactly once, no GPU given twice, every gang on the server whole.</summary>
    private static List<string> Check(FakeApiServer server, BindScenarioOptions options)
    {
        var problems = new List<string>();
        var bindings = server.Bindings;
        var distinct = bindings.Select(b => (b.Namespace, b.Pod)).Distinct().Count();
        if (bindings.Count != options.Pods || distinct != options.Pods)
        {
            problems.Add($"{bindings.Count} bindings of {distinct} distinct pods; expected {options.Pods} of {options.Pods}");
        }

        var pods = server.List<V1Pod>();
        var unbound = pods.Count(p => string.IsNullOrEmpty(p.Spec.NodeName));
        if (unbound > 0)
        {
            problems.Add($"{unbound} pods are not bound");
        }

        foreach (var ((node, gpu), milli) in ScaleObjects.GpuUse(pods).Where(u => u.Value > 1000))
        {
            problems.Add($"GPU {gpu} of {node} holds {milli} milli-GPU");
        }

        return problems;
    }

    /// <summary>The fake server and the client alone: the same pods bound by plain binding calls, one at a time and then many at once (no controller).</summary>
    private static async Task<(double Sequential, double Parallel)> ServerAloneAsync(BindScenarioOptions options, Action<string>? progress)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources }).ConfigureAwait(false);
        ScaleObjects.SeedCluster(server, options.Nodes, options.Queues);
        SeedGangs(server, options);
        using var client = server.CreateClient();
        var pods = server.List<V1Pod>().Select((p, i) => (Pod: p.Metadata.Name, Node: ScaleObjects.NodeName(i / 8 % options.Nodes), Gpu: i % 8)).ToArray();
        var half = pods.Length / 2;

        async Task Bind((string Pod, string Node, int Gpu) p)
        {
            var binding = new V1Binding
            {
                Metadata = new V1ObjectMeta
                {
                    Name = p.Pod,
                    NamespaceProperty = Objects.Ns,
                    Annotations = new Dictionary<string, string> { [KubernetesNames.GpuIndicesAnnotation] = p.Gpu.ToString(CultureInfo.InvariantCulture), [KubernetesNames.GpuMilliAnnotation] = "1000" },
                },
                Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = p.Node },
            };
            await client.CoreV1.CreateNamespacedPodBindingAsync(binding, p.Pod, Objects.Ns).ConfigureAwait(false);
        }

        var sequential = Stopwatch.StartNew();
        foreach (var p in pods.Take(half))
        {
            await Bind(p).ConfigureAwait(false);
        }

        sequential.Stop();
        var parallel = Stopwatch.StartNew();
        await Parallel.ForEachAsync(pods.Skip(half), new ParallelOptions { MaxDegreeOfParallelism = options.ServerAloneParallelism }, async (p, _) => await Bind(p).ConfigureAwait(false)).ConfigureAwait(false);
        parallel.Stop();
        var result = (half / sequential.Elapsed.TotalSeconds, (pods.Length - half) / parallel.Elapsed.TotalSeconds);
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"server alone: {half} bindings one at a time {result.Item1:F0}/s; {pods.Length - half} with {options.ServerAloneParallelism} at once {result.Item2:F0}/s"));
        return result;
    }
}
