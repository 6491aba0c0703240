using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Server.Api;
using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.TestKit;

namespace Berth.Server.Tests;

/// <summary>
/// A real server on a loopback port in a temporary data directory, on a manual clock, with cycles run one by one
/// (no background loop: nothing depends on timing). Restart reopens the same directory.
/// </summary>
public sealed class ServerHarness : IAsyncDisposable
{
    private readonly ServerCluster _cluster;

    private ServerHarness(string directory, ServerCluster cluster, ManualTime time)
    {
        Directory = directory;
        _cluster = cluster;
        Time = time;
    }

    public string Directory { get; }

    public ManualTime Time { get; }

    /// <summary>The price table the server is started with (usage reports); null: none.</summary>
    public Berth.Runtime.Yield.PriceTable? Prices { get; init; }

    public BerthServer Server { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public string AdminToken { get; private set; } = string.Empty;

    /// <summary>Two nodes of 4 GPUs; queues team-a (4 GPUs) and team-b (4 GPUs) in one cohort; priority classes low and high.</summary>
    public static ServerCluster SmallCluster(int nodes = 2, int gpus = 4) => new(
        Enumerable.Range(1, nodes).Select(i => Make.Node($"node-{i}").Gpus(gpus).Cpu(64_000).Memory(512 * 1024).Build()).ToArray(),
        new QueueConfiguration
        {
            Flavors = [new Flavor("default")],
            Cohorts = [new Cohort("all")],
            Queues = [Make.Queue("team-a").InCohort("all").Gpus(nodes * gpus / 2.0).Build(), Make.Queue("team-b").InCohort("all").Gpus(nodes * gpus / 2.0).Build()],
            PriorityClasses = [new PriorityClass("low", 0), new PriorityClass("high", 100)],
        });

    public static async Task<ServerHarness> StartAsync(ServerCluster? cluster = null, Berth.Runtime.Yield.PriceTable? prices = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
        var harness = new ServerHarness(dir, cluster ?? SmallCluster(), new ManualTime()) { Prices = prices };
        await harness.OpenAsync();
        return harness;
    }

    /// <summary>
    /// Stops the server and starts a new one on the same data directory (the clock goes on); <paramref name="between"/>
    /// may change the database while no server has it open (an older schema, say).
    /// </summary>
    public async Task RestartAsync(Action<Microsoft.Data.Sqlite.SqliteConnection>? between = null)
    {
        await CloseAsync();
        if (between is not null)
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Directory, Store.ServerStore.FileName)};Pooling=False");
            db.Open();
            between(db);
        }

        await OpenAsync();
    }

    public IReadOnlyList<(string Id, JobState State)> Cycle() => Server.Loop.RunOnce().Select(u => (u.Next.Id, u.Next.State)).ToArray();

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Server.Url };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<HttpResponseMessage> SubmitAsync(object body, HttpClient? client = null, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/jobs") { Content = new StringContent(JsonSerializer.Serialize(body, ApiJson.Responses), Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add(JobEndpoints.IdempotencyHeader, key);
        }

        return await (client ?? Admin).SendAsync(request);
    }

    public async Task<JobView> SubmitOkAsync(object body, string? key = null)
    {
        using var response = await SubmitAsync(body, key: key);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses))!;
    }

    public async Task<JobView> GetAsync(string id) => (await Admin.GetFromJsonAsync<JobView>($"api/v1/jobs/{id}", ApiJson.Responses))!;

    public static object Job(string queue = "team-a", int gpus = 1, int pods = 1, string duration = "10m", string? priorityClass = null, string? name = null) =>
        new JobSpec { Name = name ?? "train", Queue = queue, PriorityClass = priorityClass, Duration = duration, PodSets = [new PodSetSpec { Name = "workers", Count = pods, Gpus = gpus, Cpu = 1, MemoryGiB = 4 }] };

    /// <summary>Every (node, GPU) held by running jobs, with the thousandths held; throws on none.</summary>
    public Dictionary<(string Node, int Gpu), int> GpuHolds()
    {
        var held = new Dictionary<(string, int), int>();
        foreach (var job in Server.Store.All().Where(j => j.HoldsGpus))
        {
            foreach (var b in job.Bindings)
            {
                foreach (var g in Berth.Runtime.Lifecycle.Gpus.Indices(b.GpuMask))
                {
                    held[(b.Node, g)] = held.GetValueOrDefault((b.Node, g)) + b.GpuMilli;
                }
            }
        }

        return held;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a temp directory left behind is harmless
        }
    }

    private async Task OpenAsync()
    {
        Server = await BerthServer.StartAsync(new ServerOptions { DataDirectory = Directory, Cluster = _cluster, Port = 0, Clock = Time, CycleInterval = null, Prices = Prices });
        if (Server.AdminToken is { } token)
        {
            AdminToken = token;
        }

        Admin = Client(AdminToken);
    }

    private async Task CloseAsync()
    {
        Admin?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
