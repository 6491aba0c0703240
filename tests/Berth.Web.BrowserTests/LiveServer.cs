using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Server;
using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.TestKit;

namespace Berth.Web.BrowserTests;

/// <summary>
/// A real Berth server for the dashboard: simulated nodes, a temporary data directory, a manual clock, and decision cycles
/// run one by one by the test (no background loop), so what the page shows after each step is known.
/// </summary>
public sealed class LiveServer : IAsyncDisposable
{
    private LiveServer(string directory, BerthServer server, ManualTime time)
    {
        Directory = directory;
        Server = server;
        Time = time;
        Admin = new HttpClient { BaseAddress = server.Url };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
    }

    public string Directory { get; }

    public BerthServer Server { get; }

    public ManualTime Time { get; }

    public HttpClient Admin { get; }

    public string AdminToken => Server.AdminToken!;

    /// <summary>The dashboard's address with the admin token in the fragment (the page keeps it and strips it).</summary>
    public string DashboardUrl(string route = "/", string? token = null) => new Uri(Server.Url, "ui/").AbsoluteUri + "#token=" + Uri.EscapeDataString(token ?? AdminToken) + "&route=" + Uri.EscapeDataString(route);

    /// <summary>Nodes of 4 GPUs; queues team-a and team-b (half the GPUs each) in cohort all, and research (no quota of its own) in it too.</summary>
    public static ServerCluster Cluster(int nodes = 2) => new(
        Enumerable.Range(1, nodes).Select(i => Make.Node($"node-{i}").Gpus(4, "A100").Cpu(64_000).Memory(512 * 1024).Build()).ToArray(),
        new QueueConfiguration
        {
            Flavors = [new Flavor("default")],
            Cohorts = [new Cohort("all")],
            Queues = [Make.Queue("team-a").InCohort("all").Gpus(nodes * 2.0).Build(), Make.Queue("team-b").InCohort("all").Gpus(nodes * 2.0).Build()],
            PriorityClasses = [new PriorityClass("low", 0), new PriorityClass("high", 100)],
        });

    /// <summary>Starts a server over <paramref name="cluster"/>; <paramref name="configure"/> adds options (a local machine, GPU telemetry).</summary>
    public static async Task<LiveServer> StartAsync(ServerCluster? cluster = null, Func<ServerOptions, ServerOptions>? configure = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-web-tests", Guid.NewGuid().ToString("N"));
        var time = new ManualTime();
        var options = new ServerOptions { DataDirectory = dir, Cluster = cluster ?? Cluster(), Port = 0, Clock = time, CycleInterval = null };
        var server = await BerthServer.StartAsync(configure is null ? options : configure(options));
        return new LiveServer(dir, server, time);
    }

    public void Cycle() => Server.Loop.RunOnce();

    public async Task<JobView> SubmitAsync(string queue, int gpus, int pods = 1, string duration = "10m", string name = "train", double? share = null, double? activity = null)
    {
        var spec = new JobSpec { Name = name, Queue = queue, Duration = duration, GpuActivity = activity, PodSets = [new PodSetSpec { Name = "workers", Count = pods, Gpus = gpus, GpuShare = share, Cpu = 1, MemoryGiB = 4 }] };
        using var content = new StringContent(JsonSerializer.Serialize(spec, ApiJson.Responses), Encoding.UTF8, "application/json");
        using var response = await Admin.PostAsync(new Uri("api/v1/jobs", UriKind.Relative), content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses))!;
    }

    public async Task<JobView> GetAsync(string id) => (await Admin.GetFromJsonAsync<JobView>(new Uri($"api/v1/jobs/{id}", UriKind.Relative), ApiJson.Responses))!;

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a temporary directory left behind is harmless
        }
    }
}
