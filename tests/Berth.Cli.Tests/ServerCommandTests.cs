using System.Text.Json;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Server;
using Berth.Server.Api;
using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.TestKit;

namespace Berth.Cli.Tests;

/// <summary>
/// The server commands against a real server on a loopback port (manual clock, cycles run by the test), through
/// the CLI in-process: what they print and the exit codes scripts rely on.
/// </summary>
public sealed class ServerCommandTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly ManualTime _time = new();
    private BerthServer _server = null!;

    private string Url => _server.Url.ToString();

    public async Task InitializeAsync()
    {
        var cluster = new ServerCluster(
            [Make.Node("node-1").Gpus(8).Cpu(64_000).Memory(512 * 1024).Build()],
            new QueueConfiguration
            {
                Flavors = [new Flavor("default")],
                Cohorts = [new Cohort("all")],
                Queues = [Make.Queue("team-a").InCohort("all").Gpus(4).Build(), Make.Queue("team-b").InCohort("all").Gpus(4).Build()],
            });
        _server = await BerthServer.StartAsync(new ServerOptions { DataDirectory = _dir.Combine("data"), Cluster = cluster, Port = 0, Clock = _time, CycleInterval = null });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private CliRun Berth(params string[] args) => CliRun.Of([.. args, "--server", Url, "--token", _server.AdminToken!]);

    [Fact]
    public void Submit_PrintsTheId_AndTheJobRunsOnTheServer()
    {
        var run = CliRun.Of("submit", "--server", Url, "--token", _server.AdminToken!, "--queue", "team-a", "--gpus", "2", "--pods", "2", "--duration", "30m", "--name", "llama", "--", "python", "train.py");
        Assert.True(run.ExitCode == 0, run.ToString());
        var id = run.Out.Trim();
        var job = _server.Store.Find(id);
        Assert.NotNull(job);
        Assert.Equal(["python", "train.py"], job!.Spec.Command);
        _server.Loop.RunOnce();
        Assert.Equal(JobState.Running, _server.Store.Find(id)!.State);
    }

    [Fact]
    public void Submit_ResourceByKubernetesName_SendsTheRequestTheServerKeeps()
    {
        var run = Berth("submit", "--queue", "team-a", "--duration", "5m", "--resource", "nvidia.com/gpu.shared=1", "--resource", "berth.dev/gpu-memory=20Gi");
        Assert.True(run.ExitCode == 0, run.ToString());
        var template = _server.Store.Find(run.Out.Trim())!.Workload.PodSets.Single().Template;
        Assert.Equal((1, 20L * 1024, 0), (template.SharedGpuReplicas, template.GpuMemoryMiB, template.GpuCount));
    }

    [Theory]
    [InlineData("nvidia.com/mig-5g.99gb=1", "field: podSets[0].resources.nvidia.com/mig-5g.99gb")]
    [InlineData("nvidia.com/gpu", "not NAME=AMOUNT")]
    public void Submit_BadResource_IsBadInput_NamingIt_AndStoresNothing(string resource, string mentions)
    {
        var run = Berth("submit", "--queue", "team-a", "--duration", "5m", "--resource", resource);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains(mentions, run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _server.Store.Count);
    }

    [Fact]
    public void Submit_UnknownQueue_IsBadInput_NamingTheField_AndStoresNothing()
    {
        var run = Berth("submit", "--queue", "nope", "--duration", "5m");
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("field: queue", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _server.Store.Count);
    }

    [Fact]
    public void WrongToken_AndNoServer_AreExit3()
    {
        var refused = CliRun.Of("jobs", "--server", Url, "--token", "berth_wrong");
        Assert.Equal(ExitCodes.Unreachable, refused.ExitCode);
        Assert.Contains("401", refused.Error, StringComparison.Ordinal);

        var nobody = CliRun.Of("jobs", "--server", "http://127.0.0.1:1", "--token", "x");
        Assert.Equal(ExitCodes.Unreachable, nobody.ExitCode);
        Assert.Contains("cannot reach", nobody.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Jobs_PrintsEveryJob_FetchingPageByPage()
    {
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(0, Berth("submit", "--queue", "team-b", "--duration", "10m").ExitCode);
        }

        _server.Loop.RunOnce();
        var table = Berth("jobs", "--chunk-size", "3");
        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Equal(8, lines.Length);

        var json = Berth("jobs", "--chunk-size", "2", "-o", "json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(7, doc.RootElement.GetArrayLength());
        Assert.Equal("j-7", doc.RootElement[6].GetProperty("id").GetString());

        var yaml = Berth("jobs", "--state", "running", "-o", "yaml");
        Assert.Contains("state: running", yaml.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ShowsEventsPlacementAndWhyItWaits()
    {
        var first = Berth("submit", "--queue", "team-a", "--gpus", "8", "--duration", "1h").Out.Trim();
        var second = Berth("submit", "--queue", "team-a", "--gpus", "8", "--duration", "1h").Out.Trim();
        _server.Loop.RunOnce();

        var running = Berth("describe", "job", first);
        Assert.True(running.ExitCode == 0, running.ToString());
        Assert.Contains("Placement:", running.Out, StringComparison.Ordinal);
        Assert.Contains("node-1", running.Out, StringComparison.Ordinal);
        Assert.Contains("Started", running.Out, StringComparison.Ordinal);

        var waiting = Berth("describe", "job", second);
        Assert.Contains("Waiting:", waiting.Out, StringComparison.Ordinal);
        Assert.Contains("Position:  1 in queue team-a", waiting.Out, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.BadInput, Berth("describe", "job", "j-999").ExitCode);
    }

    [Fact]
    public void Describe_ARunningJobWithActivity_ShowsEachGpusActivity()
    {
        var id = Berth("submit", "--queue", "team-a", "--gpus", "2", "--gpu-activity", "0.4", "--duration", "1h").Out.Trim();
        _server.Loop.RunOnce();

        var described = Berth("describe", "job", id);
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Contains("BUSY", described.Out, StringComparison.Ordinal);
        Assert.Contains("40%,40%", described.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ADrainedJob_ListsBothItsRuns()
    {
        var id = Berth("submit", "--queue", "team-a", "--gpus", "8", "--duration", "1h").Out.Trim();
        _server.Loop.RunOnce();
        _time.Advance(600);
        Assert.Equal(0, Berth("drain", "node-1").ExitCode);
        Assert.Equal(0, Berth("uncordon", "node-1").ExitCode);
        _server.Loop.RunOnce();

        var described = Berth("describe", "job", id);
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Contains("Runs:", described.Out, StringComparison.Ordinal);
        var runs = described.Out.Split('\n').SkipWhile(l => !l.StartsWith("Runs:", StringComparison.Ordinal)).Skip(2).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, runs.Length);
        Assert.Contains("Requeued", runs[0], StringComparison.Ordinal);
        Assert.Contains("running", runs[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_AJobWithItsGpuActivity_ShowsRightSizingAdvice()
    {
        var id = Berth("submit", "--queue", "team-a", "--gpus", "8", "--gpu-activity", "0.2", "--duration", "1h").Out.Trim();
        var waiting = Berth("describe", "job", id);
        Assert.DoesNotContain("Right-size:", waiting.Out, StringComparison.Ordinal);
        _server.Loop.RunOnce();

        var running = Berth("describe", "job", id);
        Assert.True(running.ExitCode == 0, running.ToString());
        Assert.Contains("Right-size: asked 8 GPUs, used at most 1.6 at p95 (peak 1.6, 1 samples): 2 GPUs would do (from gpuActivity)", running.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ARunningJob_ShowsItsAllocatedAndUsedGpuHours()
    {
        var id = Berth("submit", "--queue", "team-a", "--gpus", "2", "--gpu-activity", "0.25", "--duration", "2h").Out.Trim();
        Assert.DoesNotContain("GPU-hours:", Berth("describe", "job", id).Out, StringComparison.Ordinal);
        _server.Loop.RunOnce();
        _time.Advance(3600);

        var running = Berth("describe", "job", id);
        Assert.True(running.ExitCode == 0, running.ToString());
        Assert.Contains("GPU-hours: 2 allocated, 0.5 used", running.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportUsage_AsTableCsvAndHtml_ShowsTheGpuHoursPerQueueAndUser()
    {
        var start = _time.GetUtcNow();
        Berth("submit", "--queue", "team-a", "--gpus", "2", "--gpu-activity", "0.5", "--duration", "2h");
        _server.Loop.RunOnce();
        _time.Advance(3600);
        _server.Loop.RunOnce();
        var from = start.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var to = start.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        var table = Berth("report", "usage", "--from", from, "--to", to);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(table.Out.Split('\n'), l => l.StartsWith("team-a", StringComparison.Ordinal) && l.Contains("admin", StringComparison.Ordinal) && l.Contains(" 2 ", StringComparison.Ordinal));

        var csv = Berth("report", "usage", "--from", from, "--to", to, "--format", "csv").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("from,to,queue,user,gpu_model,jobs,allocated_gpu_hours,used_gpu_hours,cost,currency", csv[0]);
        Assert.EndsWith(",team-a,admin,A100,1,2.0000,1.0000,,", csv[1], StringComparison.Ordinal);

        var html = Berth("report", "usage", "--from", from, "--to", to, "--format", "html", "--out", _dir.Combine("usage.html"));
        Assert.True(html.ExitCode == 0, html.ToString());
        Assert.Contains("<canvas", File.ReadAllText(_dir.Combine("usage.html")), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, Berth("report", "usage", "--format", "html").ExitCode);
        Assert.Equal(ExitCodes.BadInput, Berth("report", "usage", "--format", "pdf").ExitCode);
        Assert.Equal(ExitCodes.BadInput, Berth("report", "usage", "--from", "someday").ExitCode);
    }

    [Fact]
    public void Cancel_ThenCancelAgain_IsDoneThenBadInput()
    {
        var id = Berth("submit", "--queue", "team-a", "--duration", "10m").Out.Trim();
        var cancel = Berth("cancel", id);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal($"{id} Cancelled", cancel.Out.Trim());
        Assert.Equal(ExitCodes.BadInput, Berth("cancel", id).ExitCode);
        Assert.Equal(JobState.Cancelled, _server.Store.Find(id)!.State);
    }

    [Fact]
    public void QueuesAndNodes_ShowUseAndHolders()
    {
        var id = Berth("submit", "--queue", "team-a", "--gpus", "3", "--duration", "10m").Out.Trim();
        _server.Loop.RunOnce();
        var queues = Berth("queues");
        Assert.Contains("default:3/4", queues.Out, StringComparison.Ordinal);
        var wideQueues = Berth("queues", "-o", "wide").Out.Split('\n');
        Assert.Contains("BORROWED", wideQueues[0], StringComparison.Ordinal);
        Assert.Contains("SHARE", wideQueues[0], StringComparison.Ordinal);
        Assert.Contains(wideQueues, l => l.StartsWith("team-a", StringComparison.Ordinal) && l.Contains("None", StringComparison.Ordinal));
        var nodes = Berth("nodes");
        Assert.Contains(id, nodes.Out, StringComparison.Ordinal);
        var wide = Berth("nodes", "-o", "wide");
        Assert.Equal(3, wide.Out.Split('\n').Count(l => l.Contains(id, StringComparison.Ordinal)));
    }

    [Fact]
    public void TokenCreate_MakesASubmitterLimitedToItsQueue()
    {
        var made = Berth("token", "create", "--role", "submitter", "--queue", "team-a", "--name", "alice");
        Assert.True(made.ExitCode == 0, made.ToString());
        var token = made.Out.Trim();
        var ok = CliRun.Of("submit", "--queue", "team-a", "--duration", "5m", "--server", Url, "--token", token);
        Assert.Equal(0, ok.ExitCode);
        var denied = CliRun.Of("submit", "--queue", "team-b", "--duration", "5m", "--server", Url, "--token", token);
        Assert.Equal(ExitCodes.Unreachable, denied.ExitCode);
        Assert.Contains("403", denied.Error, StringComparison.Ordinal);
        Assert.Equal(1, _server.Store.Count);
        Assert.Equal(ExitCodes.BadInput, Berth("token", "create", "--role", "root").ExitCode);
    }

    [Theory]
    [InlineData("serve", "--time-scale", "0")]
    [InlineData("serve", "--listen", "not-an-address")]
    [InlineData("serve", "--config", "no-such-file.yaml")]
    [InlineData("serve", "--port", "70000")]
    public void Serve_BadOptions_AreBadInput_AndStartNothing(params string[] args)
    {
        var run = CliRun.Of(args);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.StartsWith("error:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Logs_OfASimulatedJob_IsBadInputSayingWhy()
    {
        var id = Berth("submit", "--queue", "team-a", "--duration", "10m").Out.Trim();
        _server.Loop.RunOnce();
        var run = Berth("logs", id);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("simulated nodes", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CordonAndUncordon_ShowInNodes()
    {
        var cordon = Berth("cordon", "node-1");
        Assert.True(cordon.ExitCode == 0, cordon.ToString());
        Assert.Equal("node-1 cordoned", cordon.Out.Trim());
        Assert.Contains("node-1 (cordoned)", Berth("nodes").Out, StringComparison.Ordinal);
        Assert.Equal(0, Berth("uncordon", "node-1").ExitCode);
        Assert.DoesNotContain("cordoned", Berth("nodes").Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, Berth("drain", "node-9").ExitCode);
    }

    [Fact]
    public void BadOutputFormat_IsBadInput()
    {
        Assert.Equal(ExitCodes.BadInput, Berth("jobs", "-o", "xml").ExitCode);
    }
}
