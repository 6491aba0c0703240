using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Telemetry;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Tests.Telemetry;
using Berth.Kubernetes.Usage;
using Berth.Runtime.Yield;
using Berth.TestKit;
using Berth.TestKit.Kubernetes.Fake;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Usage;

/// <summary>
/// Showback on the operator against the fake API server: GPU-seconds per queue, namespace, user and GPU model,
/// priced per model, kept in the ConfigMap berth-usage so that a restarted operator neither loses nor doubles them.
/// </summary>
public sealed class ShowbackTests
{
    private static readonly PriceTable Prices = new("USD", new Dictionary<string, double> { ["A100"] = 2.0, ["H100"] = 5.0 });

    private static readonly ControllerOptions FlushEveryDecision = new() { UsageFlushInterval = TimeSpan.Zero };

    [Fact]
    public async Task TwoNamespacesTwoUsersTwoModels_GiveExactGpuHoursAndCosts_AndARestartCountsNothingTwice()
    {
        var time = new ManualTime();
        var start = time.GetUtcNow();
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources, TimeProvider = time });
        var (prometheus, telemetry) = Telemetry(time);
        var first = await ControllerHarness.StartAsync(FlushEveryDecision, server, time: time, telemetry: telemetry);
        server.Seed(Node("node-a", 2, "A100"));
        server.Seed(Node("node-h", 4, "H100"));
        server.Seed(Objects.Flavor("a100", "a100"));
        server.Seed(Objects.Queue("team-a", "a100", "8"));
        Workload(server, "train", "ns-a", "alice", gpus: 2, node: "node-a");
        Workload(server, "tune", "ns-b", "bob", gpus: 4, node: "node-h");
        Assert.Equal(2, (await first.CycleAsync()).Bindings.Count);

        prometheus.Body = CannedPrometheus.Vector(("ns-a", "train-0", "0.5", time.GetUtcNow()), ("ns-b", "tune-0", "0.25", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await first.CycleAsync(); // both held from now on
        time.Advance(3600);
        await first.CycleAsync(); // one hour counted and written

        var usage = await first.Controller.Usage.SummaryAsync(start, start.AddDays(1), Prices, _ => true, CancellationToken.None);
        Assert.Equal(
            [("team-a", "ns-a", "alice", "A100", 1, 2.0, 1.0, 4.0), ("team-a", "ns-b", "bob", "H100", 1, 4.0, 1.0, 20.0)],
            usage.Rows.Select(r => (r.Queue, r.Namespace!, r.User, r.GpuModel, r.Jobs, r.AllocatedGpuHours, r.UsedGpuHours, r.Cost!.Value)).ToArray());
        Assert.Equal("USD", usage.Currency);
        Assert.NotNull(server.Get<V1ConfigMap>(UsageAccounting.ConfigMapName, "berth-system"));

        // A crash and a restart: the new operator reads the ConfigMap and counts from its own first decision on.
        await first.StopAsync();
        time.Advance(600); // down for ten minutes: not counted (nothing says what ran)
        var (prometheus2, telemetry2) = Telemetry(time);
        prometheus2.Body = CannedPrometheus.Vector(("ns-a", "train-0", "0.5", time.GetUtcNow()), ("ns-b", "tune-0", "0.25", time.GetUtcNow()));
        await telemetry2.RefreshAsync(CancellationToken.None);
        await using var second = await ControllerHarness.StartAsync(FlushEveryDecision, server, time: time, telemetry: telemetry2);
        await second.CycleAsync();
        await second.CycleAsync();
        var again = await second.Controller.Usage.SummaryAsync(start, start.AddDays(1), Prices, _ => true, CancellationToken.None);
        Assert.Equal([2.0, 4.0], again.Rows.Select(r => r.AllocatedGpuHours).ToArray()); // nothing added twice

        time.Advance(1800);
        await second.CycleAsync();
        var later = await second.Controller.Usage.SummaryAsync(start, start.AddDays(1), Prices, _ => true, CancellationToken.None);
        Assert.Equal([(3.0, 1.5, 6.0), (6.0, 1.5, 30.0)], later.Rows.Select(r => (r.AllocatedGpuHours, r.UsedGpuHours, r.Cost!.Value)).ToArray());

        // What the ConfigMap holds is what a replica that does not lead reports.
        second.Controller.IsLeader = false;
        var standby = await second.Controller.Usage.SummaryAsync(start, start.AddDays(1), Prices, ns => ns == "ns-b", CancellationToken.None);
        var row = Assert.Single(standby.Rows);
        Assert.Equal(("ns-b", "bob", 6.0, 30.0), (row.Namespace!, row.User, row.AllocatedGpuHours, row.Cost!.Value));
        Assert.Equal([(DateOnly.FromDateTime(start.UtcDateTime), "team-a", 6.0, 1.5)], standby.Days.Select(d => (d.Day, d.Queue, d.AllocatedGpuHours, d.UsedGpuHours)).ToArray());
    }

    [Fact]
    public async Task AFailedWrite_IsTriedAgain_AndCountsItsHourOnce()
    {
        var time = new ManualTime();
        var start = time.GetUtcNow();
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources, TimeProvider = time });
        await using var h = await ControllerHarness.StartAsync(FlushEveryDecision, server, time: time);
        server.Seed(Node("node-a", 2, "A100"));
        server.Seed(Objects.Flavor("a100", "a100"));
        server.Seed(Objects.Queue("team-a", "a100", "8"));
        Workload(server, "train", "ns-a", "alice", gpus: 2, node: "node-a");
        await h.CycleAsync();
        await h.CycleAsync();
        time.Advance(1800);
        await h.CycleAsync(); // creates the ConfigMap with half an hour
        server.FailNext("update", "configmaps", 500);
        time.Advance(1800);
        await h.CycleAsync(); // its write fails: the half hour waits
        Assert.Equal(1, server.RequestCount("update", "configmaps"));
        await h.CycleAsync(); // written now

        var map = server.Get<V1ConfigMap>(UsageAccounting.ConfigMapName, "berth-system")!;
        var (stored, _, _) = UsageLedger.FromJson(map.Data[UsageAccounting.DataKey]);
        Assert.Equal(7200, Assert.Single(stored.Entries).Value.AllocatedGpuSeconds, 6);
        h.Controller.IsLeader = false; // read back as a standby does
        var usage = await h.Controller.Usage.SummaryAsync(start, start.AddDays(1), Prices, _ => true, CancellationToken.None);
        Assert.Equal((2.0, 4.0), (Assert.Single(usage.Rows).AllocatedGpuHours, usage.Rows[0].Cost!.Value));
    }

    [Fact]
    public async Task AnIntervalOverMidnight_IsSplitBetweenTheTwoDays()
    {
        var time = new ManualTime();
        time.Advance(TimeSpan.FromHours(23).TotalSeconds); // 2024-01-01 23:00 UTC
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources, TimeProvider = time });
        await using var h = await ControllerHarness.StartAsync(FlushEveryDecision, server, time: time);
        server.Seed(Node("node-a", 2, "A100"));
        server.Seed(Objects.Flavor("a100", "a100"));
        server.Seed(Objects.Queue("team-a", "a100", "8"));
        Workload(server, "train", "ns-a", "alice", gpus: 2, node: "node-a");
        await h.CycleAsync();
        await h.CycleAsync();
        time.Advance(TimeSpan.FromHours(2).TotalSeconds); // to 01:00 the next day
        await h.CycleAsync();

        var usage = await h.Controller.Usage.SummaryAsync(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.Zero), null, _ => true, CancellationToken.None);
        Assert.Equal([(new DateOnly(2024, 1, 1), 2.0, 0.0), (new DateOnly(2024, 1, 2), 2.0, 0.0)], usage.Days.Select(d => (d.Day, d.AllocatedGpuHours, d.UsedGpuHours)).ToArray());
        Assert.Equal(4.0, Assert.Single(usage.Rows).AllocatedGpuHours);
        Assert.Null(usage.Rows[0].Cost);

        var secondDay = await h.Controller.Usage.SummaryAsync(new DateTimeOffset(2024, 1, 2, 0, 30, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 2, 1, 0, 0, TimeSpan.Zero), null, _ => true, CancellationToken.None);
        Assert.Equal(2.0, Assert.Single(secondDay.Rows).AllocatedGpuHours); // whole days: the day the period overlaps
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero), secondDay.From);
        Assert.Equal(new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.Zero), secondDay.To);
    }

    private static (CannedPrometheus Prometheus, GpuTelemetry Telemetry) Telemetry(ManualTime time)
    {
        var prometheus = new CannedPrometheus();
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090"), MaxSampleAge = TimeSpan.FromHours(2), HealthQuery = null };
        return (prometheus, new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, null));
    }

    private static V1Node Node(string name, int gpus, string model)
    {
        var node = Objects.GpuNode(name, gpus);
        node.Metadata.Labels[KubernetesNames.GpuModelLabel] = model;
        return node;
    }

    /// <summary>A PodGroup of one pod in <paramref name="ns"/>, created by <paramref name="user"/> (the webhook's annotation), pinned to <paramref name="node"/>.</summary>
    private static void Workload(FakeApiServer server, string name, string ns, string user, int gpus, string node)
    {
        var group = Objects.Group(name, 1, "team-a", ns);
        group.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.UserAnnotation] = user };
        server.Seed(group);
        var pod = Objects.Pod(name + "-0", gpus: gpus, group: name, ns: ns);
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node };
        server.Seed(pod);
    }
}
