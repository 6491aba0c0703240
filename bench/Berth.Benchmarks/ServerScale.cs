using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Berth.Model.Queueing;
using Berth.Server;
using Berth.Server.Api;
using Berth.Server.Demo;
using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.Server.Store;

namespace Berth.Benchmarks;

/// <summary>
/// The embedded server's speed figures (docs/PERFORMANCE.md §7), outside BenchmarkDotNet because they are
/// throughput and wall times of a whole server:
/// <c>scenario server-submit [--jobs 20000] [--clients 16] [--loop on|off]</c>: durable submits over HTTP on loopback (each with an
/// idempotency key, each committed before its 201), jobs/s and latency percentiles;
/// <c>scenario server-restart [--jobs 100000]</c>: a store of that many jobs, then the time from start to the first
/// decision (open, migrate, load, first cycle) and to listening;
/// <c>scenario server-list [--jobs 10000]</c>: a server holding that many jobs, left running for <c>berth jobs</c> to be timed.
/// </summary>
public static class ServerScale
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Submit(int jobs, int clients, bool loop)
    {
        var dir = Fresh();
        var server = BerthServer.StartAsync(new ServerOptions { DataDirectory = dir, Cluster = DemoCluster.Create(), Port = 0, RequestsPerSecond = 1_000_000, CycleInterval = loop ? TimeSpan.FromMilliseconds(250) : null }).GetAwaiter().GetResult();
        try
        {
            var latencies = new ConcurrentBag<double>();
            var body = JsonSerializer.Serialize(new JobSpec { Name = "bench", Queue = "team-a", Duration = "30m", PodSets = [new PodSetSpec { Count = 1, Gpus = 1 }] }, ApiJson.Responses);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
            using var http = new HttpClient(handler) { BaseAddress = server.Url };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);

            // Warm up (JIT, connections), not counted.
            Run(http, body, Math.Min(500, jobs), clients, "warm", latencies);
            latencies.Clear();
            var watch = Stopwatch.StartNew();
            var failed = Run(http, body, jobs, clients, "run", latencies);
            var seconds = watch.Elapsed.TotalSeconds;
            var sorted = latencies.Order().ToArray();
            Console.WriteLine(string.Create(Inv, $"server-submit: {jobs} durable submits over HTTP, {clients} clients: {jobs / seconds:0} jobs/s ({seconds:0.00} s); latency p50 {P(sorted, 0.50):0.0} ms, p99 {P(sorted, 0.99):0.0} ms, max {sorted[^1]:0.0} ms; {failed} failed; {server.Loop.Cycles} decision cycles ran meanwhile; store holds {server.Store.Count} jobs"));
            return failed == 0 ? 0 : 1;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Directory.Delete(dir, recursive: true);
        }
    }

    public static int Restart(int jobs)
    {
        var dir = Fresh();
        var cluster = DemoCluster.Create();
        Fill(dir, cluster.Configuration, jobs);
        var load = Stopwatch.StartNew();
        using (var store = ServerStore.Open(dir, cluster.Configuration))
        {
            var loop = new DecisionLoop(store, cluster, TimeProvider.System, new Berth.Server.Executors.SimulatedExecutor(), new ServerOptions { DataDirectory = dir, Cluster = cluster }.Cycle, new ServerMetrics());
            var opened = load.Elapsed.TotalSeconds;
            loop.RunOnce();
            Console.WriteLine(string.Create(Inv, $"server-restart: parts (a separate open, not the figure): store open and load {opened:0.00} s, first cycle {load.Elapsed.TotalSeconds - opened:0.00} s"));
        }

        var watch = Stopwatch.StartNew();
        var server = BerthServer.StartAsync(new ServerOptions { DataDirectory = dir, Cluster = cluster, Port = 0, CycleInterval = null }).GetAwaiter().GetResult();
        var listening = watch.Elapsed.TotalSeconds;
        try
        {
            var running = server.Store.All().Count(j => j.State == JobState.Running);
            Console.WriteLine(string.Create(Inv, $"server-restart: {server.Store.Count} jobs in the store; start to first decision and listening {listening:0.00} s ({running} running, {server.Loop.Pending.Count} pending with reasons after the first cycle)"));
            return 0;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Directory.Delete(dir, recursive: true);
        }
    }

    public static int List(int jobs, int port, string dir)
    {
        var cluster = DemoCluster.Create();
        Fill(dir, cluster.Configuration, jobs);
        var server = BerthServer.StartAsync(new ServerOptions { DataDirectory = dir, Cluster = cluster, Port = port, CycleInterval = TimeSpan.FromSeconds(5) }).GetAwaiter().GetResult();
        Console.WriteLine($"server-list: {server.Store.Count} jobs; serving on {server.Url}; token in {Path.Combine(dir, "admin.token")}; Ctrl+C stops");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    public static int Parts(int jobs)
    {
        var cluster = DemoCluster.Create();
        var engine = new Berth.Engine.Admission.AdmissionScheduler(cluster.Nodes.ToArray(), cluster.Configuration, Berth.Engine.Admission.AdmissionOptions.Default, TimeProvider.System);
        var queues = cluster.Configuration.Queues.Select(q => q.Name).ToArray();
        var w = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
        {
            var spec = new JobSpec { Name = "filler", Queue = queues[i % queues.Length], Duration = "1h", PodSets = [new PodSetSpec { Count = 1 + (i % 2), Gpus = 1 << (i % 4) }] };
            engine.Submit(JobValidation.Build($"j-{i}", spec, cluster.Configuration, JobRules.Simulated), TimeSpan.FromMilliseconds(i));
        }

        Console.WriteLine(string.Create(Inv, $"submit {w.Elapsed.TotalSeconds:0.00} s"));
        w.Restart();
        engine.Schedule();
        Console.WriteLine(string.Create(Inv, $"schedule {w.Elapsed.TotalSeconds:0.00} s"));
        w.Restart();
        for (var i = 0; i < jobs; i++)
        {
            if (engine.Find($"j-{i}") is { Phase: Berth.Engine.Admission.WorkloadPhase.Pending } st)
            {
                engine.ReasonOf(st);
            }
        }

        Console.WriteLine(string.Create(Inv, $"reasons {w.Elapsed.TotalSeconds:0.00} s"));
        w.Restart();
        engine.PositionsInQueues();

        Console.WriteLine(string.Create(Inv, $"positions {w.Elapsed.TotalSeconds:0.00} s"));
        return 0;
    }

    /// <summary>A store of <paramref name="jobs"/> pending jobs across the demo queues (through the store, as the API would).</summary>
    private static void Fill(string dir, QueueConfiguration configuration, int jobs)
    {
        using var store = ServerStore.Open(dir, configuration);
        var queues = configuration.Queues.Select(q => q.Name).ToArray();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < jobs; i++)
        {
            store.Submit(new JobSpec { Name = "filler", Queue = queues[i % queues.Length], Duration = "1h", PodSets = [new PodSetSpec { Count = 1 + (i % 2), Gpus = 1 << (i % 4) }] }, "fill-" + i.ToString(Inv), at.AddMilliseconds(i));
        }
    }

    private static int Run(HttpClient http, string body, int jobs, int clients, string prefix, ConcurrentBag<double> latencies)
    {
        var next = -1;
        var failed = 0;
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < jobs)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/jobs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(JobEndpoints.IdempotencyHeader, $"{prefix}-{i}");
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if ((int)response.StatusCode != 201)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        Task.WaitAll(tasks);
        return failed;
    }

    private static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static string Fresh() => Path.Combine(Path.GetTempPath(), "berth-server-bench-" + Guid.NewGuid().ToString("N")[..12]);
}
