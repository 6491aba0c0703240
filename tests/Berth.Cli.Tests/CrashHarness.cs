using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Cli.Tests;

/// <summary>
/// Kills <c>berth serve</c> with SIGKILL at seeded random moments while clients submit through the API with
/// idempotency keys and retries, and after every restart checks: every job whose submit got a 2xx exists exactly
/// once, no retry made a second job, no GPU is held past its capacity, no pod is placed twice. Used by the short CI
/// test and, with <c>BERTH_CRASH_KILLS=100</c>, for the full run recorded in docs/PERFORMANCE.md.
/// </summary>
internal sealed class CrashHarness(string directory, int seed)
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, string> _acked = new(StringComparer.Ordinal); // key -> id
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private Process? _server;
    private Uri _url = new("http://127.0.0.1/");
    private string _token = string.Empty;

    public int Kills { get; private set; }

    public int Acked => _acked.Count;

    public int Checks { get; private set; }

    public async Task RunAsync(int kills, int clients = 4)
    {
        try
        {
            await StartAsync();
            var next = 0;
            while (Kills < kills)
            {
                // Submit under load until a random moment, then SIGKILL the server mid-flight.
                using var stop = new CancellationTokenSource();
                var load = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var key = $"s{seed}-{Interlocked.Increment(ref next)}";
                        await SubmitAsync(key, stop.Token);
                    }
                })).ToArray();
                await Task.Delay(_random.Next(20, 400));
                _server!.Kill(); // SIGKILL
                await _server.WaitForExitAsync();
                Kills++;
                await stop.CancelAsync();
                await Task.WhenAll(load);

                await StartAsync();
                await RetryUnacknowledgedAsync();
                await CheckAsync();
            }
        }
        finally
        {
            if (_server is { HasExited: false })
            {
                _server.Kill();
                await _server.WaitForExitAsync();
            }

            _server?.Dispose();
        }
    }

    private readonly Lock _gate = new();

    private async Task SubmitAsync(string key, CancellationToken stop)
    {
        lock (_gate)
        {
            _sent.Add(key);
        }

        using var http = Client();
        try
        {
            using var response = await http.SendAsync(Request(key), stop);
            if (response.IsSuccessStatusCode)
            {
                var job = await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses, stop);
                lock (_gate)
                {
                    _acked[key] = job!.Id;
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException)
        {
            // the server died under it: retried with the same key after the restart
        }
    }

    /// <summary>Every key sent but not acknowledged is sent again; the server answers with the job it took, if it took one.</summary>
    private async Task RetryUnacknowledgedAsync()
    {
        string[] pending;
        lock (_gate)
        {
            pending = _sent.Where(k => !_acked.ContainsKey(k)).ToArray();
        }

        foreach (var key in pending)
        {
            await SubmitAsync(key, CancellationToken.None);
            Assert.True(_acked.ContainsKey(key), $"after restart {Kills}: the retry of {key} got no 2xx");
        }
    }

    private async Task CheckAsync()
    {
        using var http = Client();
        var jobs = new List<JobView>();
        string? next = null;
        do
        {
            var page = await http.GetFromJsonAsync<JobList>($"api/v1/jobs?limit=5000{(next is null ? string.Empty : "&after=" + next)}", ApiJson.Responses);
            jobs.AddRange(page!.Items);
            next = page.Next;
        }
        while (next is not null);

        var ids = jobs.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        Assert.True(ids.Count == jobs.Count, $"after restart {Kills}: a job is listed twice");
        foreach (var (key, id) in _acked)
        {
            Assert.True(ids.Contains(id), $"after restart {Kills}: job {id} (key {key}) was acknowledged and is gone");
        }

        // Each key makes at most one job: the jobs are the keys acknowledged, no more.
        Assert.True(jobs.Count == _acked.Values.Distinct(StringComparer.Ordinal).Count(), $"after restart {Kills}: {jobs.Count} jobs for {_acked.Count} acknowledged keys");
        Assert.True(_acked.Values.Distinct(StringComparer.Ordinal).Count() == _acked.Count, $"after restart {Kills}: two keys got the same job");

        var nodes = await http.GetFromJsonAsync<NodeView[]>("api/v1/nodes", ApiJson.Responses);
        foreach (var node in nodes!)
        {
            foreach (var gpu in node.Gpus)
            {
                Assert.True(gpu.HeldBy.Sum(h => h.Share) <= 1.0 + 1e-9, $"after restart {Kills}: GPU {gpu.Index} of {node.Name} is held {gpu.HeldBy.Sum(h => h.Share)} times over by {string.Join(", ", gpu.HeldBy.Select(h => h.Pod))}");
                Assert.True(gpu.HeldBy.Select(h => h.Pod).Distinct(StringComparer.Ordinal).Count() == gpu.HeldBy.Count, $"after restart {Kills}: a pod holds GPU {gpu.Index} of {node.Name} twice");
            }
        }

        foreach (var job in jobs.Where(j => j.State == JobState.Running))
        {
            var placement = job.Placement ?? [];
            Assert.True(placement.Select(p => p.Pod).Distinct(StringComparer.Ordinal).Count() == placement.Count, $"after restart {Kills}: a pod of {job.Id} is placed twice");
        }

        Checks++;
    }

    private async Task StartAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "berth.dll"), "serve", "--data", directory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--time-scale", "600" })
        {
            start.ArgumentList.Add(arg);
        }

        _server?.Dispose();
        var server = Process.Start(start)!;
        _server = server;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        _url = new Uri($"http://127.0.0.1:{port}/");
        using var probe = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(server.HasExited, $"berth serve exited with {(server.HasExited ? server.ExitCode : 0)} after restart {Kills}");
            try
            {
                using var ready = await probe.GetAsync("readyz");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "berth serve did not become ready within 2 minutes");
            await Task.Delay(50);
        }

        _token = (await File.ReadAllTextAsync(Path.Combine(directory, "admin.token"))).Trim();
    }

    private HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return http;
    }

    private HttpRequestMessage Request(string key)
    {
        int gpus, pods;
        lock (_gate)
        {
            gpus = 1 << _random.Next(4);
            pods = _random.Next(1, 3);
        }

        var body = JsonSerializer.Serialize(new JobSpec { Queue = "team-a", Duration = "10m", PodSets = [new PodSetSpec { Count = pods, Gpus = gpus }] }, ApiJson.Responses);
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/jobs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(JobEndpoints.IdempotencyHeader, key);
        return request;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
