using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// A fake API server with Berth's resources, a client, and a controller whose cache follows the server.
/// Tests write objects through <see cref="Client"/> (or seed them), call <see cref="SettleAsync"/> so the cache
/// has seen every write, and run decisions one at a time with <see cref="CycleAsync"/>.
/// </summary>
internal sealed class ControllerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _cache;

    private ControllerHarness(FakeApiServer server, ControllerOptions options, TimeProvider time, Berth.Kubernetes.Telemetry.GpuTelemetry? telemetry)
    {
        Server = server;
        Client = server.CreateClient();
        Metrics = new MetricsRegistry();
        Controller = new BerthController(Client, options, Metrics, time, NullLoggerFactory.Instance, telemetry) { IsLeader = true };
        _cache = Controller.Cache.RunAsync(_stop.Token);
    }

    /// <summary>The admission-record key of every controller a test starts (a restarted controller trusts what the previous one wrote).</summary>
    public static AdmissionRecordSeal TestSeal => TestSeals.Key;

    public FakeApiServer Server { get; }

    public k8s.Kubernetes Client { get; }

    public BerthController Controller { get; }

    public MetricsRegistry Metrics { get; }

    /// <summary>Starts a server (unless given) and a controller; <paramref name="time"/> is the controller's and a new server's clock (the system clock when null).</summary>
    /// <param name="telemetry">GPU activity the controller reads (the test refreshes it); null: none.</param>
    public static async Task<ControllerHarness> StartAsync(ControllerOptions? options = null, FakeApiServer? server = null, bool wait = true, TimeProvider? time = null, Berth.Kubernetes.Telemetry.GpuTelemetry? telemetry = null)
    {
        time ??= TimeProvider.System;
        server ??= await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources, TimeProvider = time });
        options ??= new ControllerOptions();
        var harness = new ControllerHarness(server, options.RecordSeal is null ? options with { RecordSeal = TestSeal } : options, time, telemetry);
        if (wait)
        {
            await harness.Controller.Cache.Synced.WaitAsync(TimeSpan.FromSeconds(10));
        }

        return harness;
    }

    /// <summary>Puts the usual objects on the server: nodes, one flavor <c>a100</c> over them, and queues.</summary>
    public void SeedCluster(int nodes, int gpusPerNode = 8, params Berth.Kubernetes.Api.Queue[] queues)
    {
        for (var i = 0; i < nodes; i++)
        {
            Server.Seed(Objects.GpuNode($"node-{i:D2}", gpusPerNode));
        }

        Server.Seed(Objects.Flavor("a100", "a100"));
        foreach (var queue in queues)
        {
            Server.Seed(queue);
        }
    }

    /// <summary>Puts a PodGroup of queue <paramref name="queue"/> on the server with <paramref name="pods"/> pods <c>&lt;name&gt;-&lt;i&gt;</c> of <paramref name="gpus"/> GPUs each.</summary>
    public void SeedGroup(string name, int minMember, int pods, int gpus, string queue = "team-a")
    {
        Server.Seed(Objects.Group(name, minMember, queue));
        for (var i = 0; i < pods; i++)
        {
            Server.Seed(Objects.Pod($"{name}-{i}", gpus: gpus, group: name));
        }
    }

    /// <summary>Waits until the cache holds exactly the server's objects, each at the server's resource version.</summary>
    public async Task SettleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var cache = Controller.Cache;
        while (!(Same(Server.List<V1Node>(), cache.Nodes.Snapshot())
            && Same(Server.List<V1Pod>(), cache.Pods.Snapshot())
            && Same(Server.List<V1Job>(), cache.Jobs.Snapshot())
            && Same(Server.List<V1PriorityClass>(), cache.PriorityClasses.Snapshot())
            && Same(Server.List<Berth.Kubernetes.Api.Queue>(), cache.Queues.Snapshot())
            && Same(Server.List<Berth.Kubernetes.Api.Cohort>(), cache.Cohorts.Snapshot())
            && Same(Server.List<Berth.Kubernetes.Api.Flavor>(), cache.Flavors.Snapshot())
            && Same(Server.List<Berth.Kubernetes.Api.PodGroup>(), cache.PodGroups.Snapshot())
            && SameFrameworks()
            && Same(Server.List<V1ResourceSlice>(), cache.Dra.Slices.Snapshot())
            && Same(Server.List<V1DeviceClass>(), cache.Dra.Classes.Snapshot())
            && Same(Server.List<Resourcev1ResourceClaim>(), cache.Dra.Claims.Snapshot())
            && Same(Server.List<V1ResourceClaimTemplate>(), cache.Dra.Templates.Snapshot())))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the controller's cache did not catch up with the fake API server within 10 s");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Lets the cache catch up, then runs one decision.</summary>
    public async Task<DecisionPlan> CycleAsync()
    {
        await SettleAsync();
        return await Controller.RunCycleAsync(_stop.Token);
    }

    /// <summary>Runs decisions until one writes nothing (at most <paramref name="limit"/>).</summary>
    public async Task<int> RunUntilQuietAsync(int limit = 10)
    {
        for (var i = 1; i <= limit; i++)
        {
            var plan = await CycleAsync();
            if (plan.WriteCount == 0)
            {
                return i;
            }
        }

        var last = await CycleAsync();
        throw new InvalidOperationException($"the controller still wrote something after {limit} cycles; the last: {Describe(last)}");
    }

    /// <summary>What a plan writes, briefly (for failure messages).</summary>
    public static string Describe(DecisionPlan plan) => string.Join("; ", new[]
    {
        string.Join(", ", plan.Bindings.Select(b => $"bind {b.Pod}->{b.Node}")),
        string.Join(", ", plan.JobAdmissions.Select(a => $"admit job {a.Name}")),
        string.Join(", ", plan.Suspensions.Select(a => $"suspend job {a.Name} ({a.Reason})")),
        string.Join(", ", plan.Evictions.Select(a => $"evict {a.Pod} ({a.Reason})")),
        string.Join(", ", plan.Annotations.Select(a => $"annotate {a.Kind} {a.Name}: {string.Join(',', a.Annotations.Select(x => x.Key + "=" + x.Value))}")),
        string.Join(", ", plan.Unschedulable.Select(u => $"unschedulable {u.Pod}: {u.Reason}: {u.Message}")),
        string.Join(", ", plan.ObjectStatuses.Select(o => $"status {o.Plural}/{o.Name}: {System.Text.Json.JsonSerializer.Serialize(o.Status)}")),
    }.Where(x => x.Length > 0));

    public V1Pod ReadPod(string name, string ns = Objects.Ns) => Server.Get<V1Pod>(name, ns) ?? throw new InvalidOperationException($"pod {ns}/{name} is gone");

    public V1Pod? ReadPodOrNull(string name, string ns = Objects.Ns) => Server.Get<V1Pod>(name, ns);

    public V1Job ReadJob(string name, string ns = Objects.Ns) => Server.Get<V1Job>(name, ns) ?? throw new InvalidOperationException($"job {ns}/{name} is gone");

    /// <summary>Does what the Job controller would: creates the pods of an unsuspended Job (bound by the default scheduler to the node its selector names, or the first node), deletes those of a suspended one.</summary>
    public async Task ActAsJobControllerAsync()
    {
        await SettleAsync();
        foreach (var job in Server.List<V1Job>())
        {
            var pods = Server.List<V1Pod>(job.Metadata.NamespaceProperty).Where(p => p.Metadata.OwnerReferences?.Any(o => o.Kind == "Job" && o.Name == job.Metadata.Name) == true).ToList();
            if (job.Spec.Suspend == true)
            {
                foreach (var pod in pods)
                {
                    await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty);
                }
            }
            else if (pods.Count == 0)
            {
                var record = AdmissionRecord.Parse(job.Metadata.Annotations);
                for (var i = 0; i < (job.Spec.Parallelism ?? 1); i++)
                {
                    var node = record?.Pods.ElementAtOrDefault(i)?.Node;
                    var pod = new V1Pod
                    {
                        ApiVersion = "v1",
                        Kind = "Pod",
                        Metadata = new V1ObjectMeta
                        {
                            Name = $"{job.Metadata.Name}-{i}",
                            NamespaceProperty = job.Metadata.NamespaceProperty,
                            OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid, Controller = true }],
                        },
                        Spec = job.Spec.Template.Spec,
                    };
                    pod.Spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(job.Spec.Template.Spec));
                    pod.Spec.NodeName = pod.Spec.SchedulerName == KubernetesNames.SchedulerName ? null : node; // Berth binds its own
                    await Client.CoreV1.CreateNamespacedPodAsync(pod, pod.Metadata.NamespaceProperty);
                }
            }
        }
    }

    /// <summary>Stops the controller (as a crash would: its cache and client go), leaving the server running.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _cache;
        }
        catch (OperationCanceledException)
        {
        }

        Client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Server.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>True when the cache holds each framework's objects as the server has them (none where the server lacks the CRD).</summary>
    private bool SameFrameworks()
    {
        var cache = Controller.Cache.Frameworks;
        for (var i = 0; i < cache.Count; i++)
        {
            var framework = Berth.Kubernetes.Frameworks.FrameworkRegistry.All[i];
            IReadOnlyList<System.Text.Json.Nodes.JsonObject> server;
            try
            {
                server = Server.ListObjects(framework.Group, framework.Version, framework.Plural);
            }
            catch (ArgumentException)
            {
                server = [];
            }

            var want = server.Select(o => (o["metadata"]?["namespace"]?.GetValue<string>(), o["metadata"]?["name"]?.GetValue<string>(), o["metadata"]?["resourceVersion"]?.GetValue<string>())).ToHashSet();
            var have = cache[i].Snapshot();
            if (have.Count != want.Count || !have.All(o => want.Contains((o.Metadata.NamespaceProperty, o.Metadata.Name, o.Metadata.ResourceVersion))))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Same<T>(IReadOnlyList<T> server, IReadOnlyList<T> cache)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        if (server.Count != cache.Count)
        {
            return false;
        }

        var want = server.Select(o => (o.Metadata.NamespaceProperty, o.Metadata.Name, o.Metadata.ResourceVersion)).ToHashSet();
        return cache.All(o => want.Contains((o.Metadata.NamespaceProperty, o.Metadata.Name, o.Metadata.ResourceVersion)));
    }
}
