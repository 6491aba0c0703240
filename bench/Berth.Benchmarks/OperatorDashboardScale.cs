using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Berth.Kubernetes;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.TestKit.Kubernetes;
using Berth.TestKit.Kubernetes.Fake;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Benchmarks;

/// <summary>
/// <c>scenario operator-dashboard-load [--workloads 10000] [--rounds 20]</c>: the first load of <c>berth operator</c>'s
/// read-only dashboard against the in-process fake API server holding that many queued pods (1 GPU each, in 10
/// namespaces and 4 queues of 100 GPUs on 100 nodes of 8: 400 run, the rest wait with reasons), asked as a browser
/// opening it would (the files at once, then <c>/api/v1/info</c> (which authorizes the token through TokenReview and
/// SubjectAccessReview), then at once the first 500 jobs, queues, cohorts, nodes, the timeline, and one queue's
/// visibility page) over HTTPS, each round on a fresh connection; the first round is reported apart. Also the time to
/// build the views' picture of one decision (best of 3). Exits 1 when a round takes over 1 s.
/// </summary>
internal static class OperatorDashboardScale
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] Files = ["ui/", "ui/app.css", "ui/palette.js", "ui/app.js", "ui/chart.umd.min.js"];

    private static readonly string[] Views = ["api/v1/jobs?limit=500", "api/v1/queues", "api/v1/cohorts", "api/v1/nodes", "api/v1/timeline", "api/v1/queues/team-0/pending?limit=1000"];

    public static int Load(int workloads, int rounds) => LoadAsync(workloads, rounds).GetAwaiter().GetResult();

    private static async Task<int> LoadAsync(int workloads, int rounds)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        for (var n = 0; n < 100; n++)
        {
            server.Seed(Objects.GpuNode("node-" + n.ToString("D3", Inv), 8));
        }

        server.Seed(Objects.Flavor("a100", "a100"));
        for (var q = 0; q < 4; q++)
        {
            server.Seed(Objects.Queue("team-" + q.ToString(Inv), "a100", "100"));
        }

        for (var i = 0; i < workloads; i++)
        {
            server.Seed(Objects.Pod("p-" + i.ToString("D5", Inv), gpus: 1, queue: "team-" + (i % 4).ToString(Inv), ns: "ns-" + (i % 10).ToString(Inv)));
        }

        server.Access.AddToken("admin-token", "admin");
        server.Access.GrantResource("admin", "list", KubernetesNames.Group, "queues");
        await using var host = OperatorHost.Create(new OperatorSettings
        {
            Identity = "bench", MetricsPort = 0, ProbePort = 0, WebhookPort = null, DashboardPort = 0, ListenAddress = "127.0.0.1",
            Controller = new ControllerOptions { Resync = TimeSpan.FromSeconds(30) },
        }, server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);
        var started = Stopwatch.StartNew();
        await host.StartAsync();
        while (host.Controller.LastDecision is not { } seen || seen.Plan.Outcomes.Count(o => o.Running) < Math.Min(workloads, 400))
        {
            if (started.Elapsed > TimeSpan.FromMinutes(5))
            {
                Console.WriteLine("PROBLEM: the operator did not bind the first 400 pods within 5 minutes");
                return 1;
            }

            await Task.Delay(50);
        }

        var decision = host.Controller.LastDecision!;
        var build = Enumerable.Range(0, 3).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            Berth.Kubernetes.Views.ClusterPicture.Build(decision);
            return watch.Elapsed.TotalMilliseconds;
        }).Min();
        var times = new List<double>();
        var phases = new List<(double Files, double Info, double Views)>();
        long bytes = 0;
        for (var r = 0; r < rounds + 1; r++)
        {
            using var http = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.Zero,
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true }, // the operator's own CA; a bench on loopback
            }) { BaseAddress = host.DashboardAddress };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "admin-token");
            var watch = Stopwatch.StartNew();
            var got = (await Task.WhenAll(Files.Select(f => Get(http, f)))).Sum();
            var files = watch.Elapsed.TotalMilliseconds;
            got += await Get(http, "api/v1/info");
            var info = watch.Elapsed.TotalMilliseconds;
            got += (await Task.WhenAll(Views.Select(v => Get(http, v)))).Sum();
            times.Add(watch.Elapsed.TotalMilliseconds);
            phases.Add((files, info - files, watch.Elapsed.TotalMilliseconds - info));
            bytes = got;
        }

        var warm = times.Skip(1).Order().ToArray();
        var waiting = decision.Plan.Outcomes.Count(o => !o.Running);
        Console.WriteLine(string.Create(Inv, $"operator-dashboard-load: {decision.Plan.Outcomes.Count} workloads ({waiting} waiting with reasons) on 100 nodes; {Environment.ProcessorCount} cores"));
        Console.WriteLine(string.Create(Inv, $"picture of one decision (views' model, best of 3): {build:0.0} ms"));
        Console.WriteLine(string.Create(Inv, $"first load over HTTPS ({bytes / 1024} KiB: page, files, info, 500 jobs, queues, cohorts, nodes, timeline, 1000 pending of team-0): cold {times[0]:0} ms; then over {warm.Length} rounds p50 {warm[warm.Length / 2]:0.0} ms, max {warm[^1]:0.0} ms"));
        Console.WriteLine(string.Create(Inv, $"cold round by phase: files {phases[0].Files:0} ms (TLS handshake included), info {phases[0].Info:0} ms (TokenReview and SubjectAccessReview included), views {phases[0].Views:0} ms; warm p50 by phase: files {phases.Skip(1).Select(p => p.Files).Order().ElementAt(warm.Length / 2):0.0}, info {phases.Skip(1).Select(p => p.Info).Order().ElementAt(warm.Length / 2):0.0}, views {phases.Skip(1).Select(p => p.Views).Order().ElementAt(warm.Length / 2):0.0} ms"));
        Console.WriteLine(string.Create(Inv, $"target <= 1 s: {(times.Max() <= 1000 ? "met" : "missed")}"));
        return times.Max() <= 1000 ? 0 : 1;
    }

    private static async Task<long> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false)).LongLength;
    }
}
