using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Server.Api;
using Berth.Server.Executors;
using Berth.Server.Jobs;
using Berth.Server.Telemetry;
using Berth.TestKit;
using Berth.Web;

namespace Berth.Server.Tests.Telemetry;

/// <summary>
/// The local executor with real processes and a stand-in <c>nvidia-smi</c> that prints the real CSVs: measured
/// activity drives the queue's idle policy (Reclaim after 1 min, grace 1 min), ECC errors withhold a GPU. The
/// stand-in reads files the test writes: <c>gpus.csv</c> (the GPU query's answer), <c>app.csv</c> (written by the
/// job itself: its pid and its GPU's UUID), <c>fail</c> (present: exit 1, as nvidia-smi does without a driver).
/// </summary>
public sealed class LocalGpuTelemetryTests : IAsyncLifetime
{
    private const string Idle = "GPU-aaaa, 0, 1024, 0, 00000000:3B:00.0\nGPU-bbbb, 0, 0, 0, 00000000:86:00.0\n";
    private const string Busy = "GPU-aaaa, 93, 30000, 0, 00000000:3B:00.0\nGPU-bbbb, 91, 30000, 0, 00000000:86:00.0\n";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
    private readonly ManualTime _clock = new();
    private BerthServer _server = null!;
    private HttpClient _http = null!;

    private string Smi => Path.Combine(_dir, "bin", "nvidia-smi");

    private string Dmesg => Path.Combine(_dir, "bin", "dmesg");

    /// <summary>The PCI bus id the stand-in nvidia-smi gives each GPU.</summary>
    private static string Bus(string uuid) => uuid == "GPU-aaaa" ? "00000000:3B:00.0" : "00000000:86:00.0";

    /// <summary>A line as <c>dmesg --time-format iso</c> prints the driver's XID, <paramref name="seconds"/> after the test clock's start.</summary>
    private static string XidLine(double seconds, string uuid, int code, string what) =>
        $"{new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds):yyyy-MM-dd'T'HH:mm:ss},482913+00:00 NVRM: Xid (PCI:0000:{(uuid == "GPU-aaaa" ? "3b" : "86")}:00): {code}, pid=4242, name=python, {what}\n";

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "bin"));
        File.WriteAllText(Smi, $$"""
            #!/bin/sh
            [ -f {{_dir}}/fail ] && { echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2; exit 9; }
            case "$1 $2" in
              "{{NvidiaSmiCsv.GpuQuery}} {{NvidiaSmiCsv.Format}}") cat {{_dir}}/gpus.csv ;;
              "{{NvidiaSmiCsv.AppQuery}} {{NvidiaSmiCsv.Format}}") [ -f {{_dir}}/app.csv ] && cat {{_dir}}/app.csv; exit 0 ;;
              "nvlink -e") [ -f {{_dir}}/nvlink.txt ] && cat {{_dir}}/nvlink.txt; exit 0 ;;
              *) exit 2 ;;
            esac
            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        File.WriteAllText(Dmesg, $$"""
            #!/bin/sh
            [ -f {{_dir}}/dmesg.denied ] && { echo "dmesg: read kernel buffer failed: Operation not permitted" >&2; exit 1; }
            [ "$*" = "--time-format iso" ] || exit 2
            [ -f {{_dir}}/kern.log ] && cat {{_dir}}/kern.log
            exit 0
            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Smi, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(Dmesg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return Task.CompletedTask;
    }

    private async Task StartAsync(string? nvidiaSmi = null, int jobsRemembered = 1000)
    {
        var machine = new LocalMachine(new Node { Name = LocalMachine.NodeName, CpuMilli = 4000, MemoryMiB = 8192, GpuCount = 2, GpuModel = "A100" }, ["GPU-aaaa", "GPU-bbbb"]);
        var cluster = machine.Cluster();
        var policy = new IdleGpuPolicy { After = TimeSpan.FromMinutes(1), Below = 0.05, Action = IdleAction.Reclaim, Grace = TimeSpan.FromMinutes(1) };
        cluster = cluster with { Configuration = cluster.Configuration with { Queues = cluster.Configuration.Queues.Select(q => q with { IdleGpus = policy }).ToArray() } };
        var telemetry = new GpuTelemetryOptions { NvidiaSmi = nvidiaSmi ?? Smi, KernelLog = [Dmesg, "--time-format", "iso"], Interval = TimeSpan.FromSeconds(10), MaxAge = TimeSpan.FromMinutes(1), RecoverAfter = 2, JobsRemembered = jobsRemembered };
        _server = await BerthServer.StartAsync(new ServerOptions { DataDirectory = _dir, Cluster = cluster, LocalMachine = machine, GpuTelemetry = telemetry, Port = 0, Clock = _clock, CycleInterval = null, StopGrace = TimeSpan.FromSeconds(1) });
        _http = new HttpClient { BaseAddress = _server.Url };
        _http.DefaultRequestHeaders.Authorization = new("Bearer", _server.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            foreach (var job in _server.Store.Active().Where(j => j.State == JobState.Running))
            {
                _server.Context.Executor.Stop(job);
            }

            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a temporary folder left behind is harmless
        }
    }

    /// <summary>Submits a one-GPU job that writes its nvidia-smi process line and sleeps; runs cycles until it runs (bound 30 s; no timing asserted).</summary>
    private async Task<JobRecord> RunningJobAsync()
    {
        var command = new[] { "/bin/sh", "-c", $"echo \"$$, $CUDA_VISIBLE_DEVICES, 1024\" > {_dir}/app.tmp; mv {_dir}/app.tmp {_dir}/app.csv; exec sleep 60" };
        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = command, PodSets = [new PodSetSpec { Count = 1, Gpus = 1 }] }, ApiJson.Responses);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses))!.Id;
        var watch = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(_dir, "app.csv")) && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            _server.Loop.RunOnce();
            Thread.Sleep(50);
        }

        var job = _server.Store.Find(id)!;
        Assert.Equal(JobState.Running, job.State);
        return job;
    }

    /// <summary>Three minutes pass in steps of 20 s (a reading each), a cycle after each: past the idle time and its grace.</summary>
    private void ThreeMinutes()
    {
        for (var i = 0; i < 9; i++)
        {
            _clock.Advance(20);
            _server.Loop.RunOnce();
        }
    }

    [Fact]
    public async Task IdleReading_OfTheJobsOwnProcess_IsReportedAndReclaimed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Idle);
        await StartAsync();
        var job = await RunningJobAsync();
        ThreeMinutes();
        var after = _server.Store.Find(job.Id)!;
        Assert.Equal(JobState.Failed, after.State);
        var events = _server.Store.Events(after);
        Assert.Contains(events, e => e.Kind == "Idle" && e.Message.Contains("GPU activity 0 %", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == "Stopped" && e.Message.Contains(Berth.Engine.Admission.IdleGpus.ReclaimedReason, StringComparison.Ordinal));
        Assert.Empty(_server.Loop.Gpus!.Activity);
    }

    [Fact]
    public async Task IdleJob_ThatGetsBusyAgain_GetsABusyEvent_AndIsNotReclaimed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Idle);
        await StartAsync();
        var job = await RunningJobAsync();
        for (var i = 0; i < 4; i++)
        {
            // 80 s idle: past the idle time (1 min), inside the grace (1 min more).
            _clock.Advance(20);
            _server.Loop.RunOnce();
        }

        Assert.Equal("Idle", _server.Store.Events(_server.Store.Find(job.Id)!)[^1].Kind);
        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Busy);
        ThreeMinutes();
        var after = _server.Store.Find(job.Id)!;
        Assert.Equal(JobState.Running, after.State);
        Assert.Null(after.Message);
        var events = _server.Store.Events(after).Where(e => e.Kind is "Idle" or "Busy").ToArray();
        Assert.Equal([("Idle", true), ("Busy", false)], events.Select(e => (e.Kind, e.Message.Contains("GPU activity 0 %", StringComparison.Ordinal))));
        Assert.Equal("GPU activity 93 % again; no longer idle", events[1].Message);
    }

    public static TheoryData<string> NeverEvicted => ["busy", "nvidia-smi missing", "nvidia-smi failing", "malformed output", "malformed error counter", "stale reading"];

    [Theory]
    [MemberData(nameof(NeverEvicted))]
    public async Task BusyOrMissingOrMalformedOrStaleTelemetry_NeverEvictsTheJob(string telemetry)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), telemetry switch
        {
            "busy" => Busy,
            "malformed output" => "GPU-aaaa, 0 %, 1024 MiB, 0, 00000000:3B:00.0\nGPU-bbbb; 0; 0; 0; 00000000:86:00.0\n",
            "malformed error counter" => "GPU-aaaa, 0, 1024, -5, 00000000:3B:00.0\nGPU-bbbb, 0, 0, many, 00000000:86:00.0\n",
            _ => Idle,
        });
        if (telemetry == "nvidia-smi failing")
        {
            File.WriteAllText(Path.Combine(_dir, "fail"), string.Empty);
        }

        await StartAsync(telemetry == "nvidia-smi missing" ? Path.Combine(_dir, "bin", "no-such-nvidia-smi") : null);
        var job = await RunningJobAsync();
        if (telemetry == "stale reading")
        {
            // One idle reading is taken with the job running, before it can count as idle (1 min); from then on
            // nvidia-smi fails, and the reading is past its max age (1 min) before the idle time comes.
            _clock.Advance(10);
            _server.Loop.RunOnce();
            Assert.True(_server.Loop.Gpus!.Activity.ContainsKey(job.Id));
            File.WriteAllText(Path.Combine(_dir, "fail"), string.Empty);
            _clock.Advance(61);
            _server.Loop.RunOnce();
            Assert.Empty(_server.Loop.Gpus.Activity);
        }

        ThreeMinutes();
        var after = _server.Store.Find(job.Id)!;
        Assert.Equal(JobState.Running, after.State);
        Assert.DoesNotContain(_server.Store.Events(after), e => e.Kind is "Idle" or "Stopped" or "Requeued");
        Assert.Equal(telemetry == "busy", _server.Loop.Gpus!.Activity.ContainsKey(job.Id));
        Assert.Equal(0, _server.Loop.Gpus.UnhealthyGpuMask);
        var sizing = (await _http.GetFromJsonAsync<RightSizingView>($"api/v1/jobs/{job.Id}/rightsizing", ApiJson.Responses))!;
        if (telemetry == "busy")
        {
            // Nine readings of its one GPU at 93 % or 91 %: the job needs its GPU.
            Assert.Equal(("nvidia-smi", 9, 1), (sizing.Source, sizing.Samples, sizing.RecommendedGpus));
            Assert.EndsWith("right-sized", sizing.Advice, StringComparison.Ordinal);
        }
        else if (telemetry != "stale reading")
        {
            Assert.Null(sizing.Advice);
            Assert.Contains("no nvidia-smi samples", sizing.Note, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task IdleReadings_GiveRightSizingAdvice_AMigSliceForAnA100()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), "GPU-aaaa, 20, 1024, 0, 00000000:3B:00.0\nGPU-bbbb, 20, 0, 0, 00000000:86:00.0\n");
        await StartAsync();
        var job = await RunningJobAsync();
        _clock.Advance(20);
        _server.Loop.RunOnce();
        var sizing = (await _http.GetFromJsonAsync<RightSizingView>($"api/v1/jobs/{job.Id}/rightsizing", ApiJson.Responses))!;
        Assert.Equal("asked 1 GPU, used at most 0.2 at p95 (peak 0.2, 1 samples): a 2g.20gb MIG slice would do", sizing.Advice);
        var queue = (await _http.GetFromJsonAsync<RightSizingView>("api/v1/queues/default/rightsizing", ApiJson.Responses))!;
        Assert.Equal((1, 1), (queue.AskedGpus, queue.RecommendedGpus));

        // The same advice on the job page, and the measured use in the timeline and the queues table.
        Assert.Equal(sizing.Advice, (await _http.GetFromJsonAsync<JobView>($"api/v1/jobs/{job.Id}", ApiJson.Responses))!.RightSizing);
        var point = (await _http.GetFromJsonAsync<TimelineView>("api/v1/timeline", ApiJson.Responses))!.Points[^1];
        Assert.Equal((1.0, 0.2, 0.8), (point.Allocated, point.Used, point.IdleAllocated));
        var row = Assert.Single((await _http.GetFromJsonAsync<QueueView[]>("api/v1/queues", ApiJson.Responses))!, q => q.Name == "default");
        Assert.Equal((0.2, 0.8), (row.UsedGpus, row.IdleGpus));
    }

    [Fact]
    public async Task Samples_OfTheOldestJob_GoFirst_PastTheJobsRemembered()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Busy);
        await StartAsync(jobsRemembered: 1);
        var first = await RunningJobAsync();
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.NotEmpty(_server.Loop.Gpus!.BusyHistory(first.Id));

        File.Delete(Path.Combine(_dir, "app.csv"));
        var second = await RunningJobAsync();
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.Empty(_server.Loop.Gpus.BusyHistory(first.Id));
        Assert.NotEmpty(_server.Loop.Gpus.BusyHistory(second.Id));
    }

    [Fact]
    public async Task UncorrectableEccErrors_WithholdTheGpu_RequeueItsJobOntoTheOther_UntilCleanReadings()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Busy);
        await StartAsync();
        var job = await RunningJobAsync();
        var uuid = File.ReadAllText(Path.Combine(_dir, "app.csv")).Split(',')[1].Trim();
        var other = uuid == "GPU-aaaa" ? "GPU-bbbb" : "GPU-aaaa";
        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), $"{uuid}, 93, 30000, 2, {Bus(uuid)}\n{other}, 0, 0, 0, {Bus(other)}\n");
        File.Delete(Path.Combine(_dir, "app.csv"));
        _clock.Advance(20);
        _server.Loop.RunOnce();

        var requeued = _server.Store.Find(job.Id)!;
        Assert.Contains(_server.Store.Events(requeued), e => e.Kind == "Requeued" && e.Message.Contains("unhealthy GPU", StringComparison.Ordinal));
        Assert.Contains(uuid, _server.Loop.Gpus!.Unhealthy.Keys);
        using var anonymous = new HttpClient { BaseAddress = _server.Url };
        Assert.Contains($"berth_gpu_unhealthy{{gpu=\"{uuid}\"}} 1", await anonymous.GetStringAsync("metrics"), StringComparison.Ordinal);
        Assert.Equal([uuid == "GPU-aaaa" ? 0 : 1], await UnhealthyIndicesAsync());

        // It runs again, on the other GPU only.
        var watch = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(_dir, "app.csv")) && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            _server.Loop.RunOnce();
            Thread.Sleep(50);
        }

        Assert.Contains(other, File.ReadAllText(Path.Combine(_dir, "app.csv")), StringComparison.Ordinal);

        // Two clean readings: back in service.
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.NotEmpty(_server.Loop.Gpus.Unhealthy);
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.Empty(_server.Loop.Gpus.Unhealthy);
        Assert.Equal(0, _server.Loop.Gpus.UnhealthyGpuMask);
        Assert.Empty(await UnhealthyIndicesAsync());

        // Both changes are node events, the latest on the node's view.
        var index = uuid == "GPU-aaaa" ? 0 : 1;
        var events = (await _http.GetFromJsonAsync<EventView[]>($"api/v1/nodes/{LocalMachine.NodeName}/events", ApiJson.Responses))!;
        Assert.Equal(
            [("GpuUnhealthy", $"GPU {index} ({uuid}): ecc.errors.uncorrected.volatile.total rose by 2 to 2"), ("GpuHealthy", $"GPU {index} ({uuid}): no new error in 2 readings; back in service")],
            events.Select(e => (e.Kind, e.Message)));
        var node = Assert.Single((await _http.GetFromJsonAsync<NodeView[]>("api/v1/nodes", ApiJson.Responses))!);
        Assert.Equal("GpuHealthy", node.LastEvent?.Kind);
        using var missing = await _http.GetAsync("api/v1/nodes/no-such-node/events");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task HardwareXid_InTheKernelLog_WithholdsItsGpu_OnceAndOnlyWhenNew()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Busy);
        // An XID 79 from before the server started: a restart does not mark the GPU again.
        File.WriteAllText(Path.Combine(_dir, "kern.log"), "2023-12-31T23:00:00,000001+00:00 nvidia-nvlink: Nvlink Core is being initialized\n" + XidLine(-3600, "GPU-aaaa", 79, "GPU has fallen off the bus."));
        await StartAsync();
        var job = await RunningJobAsync();
        var uuid = File.ReadAllText(Path.Combine(_dir, "app.csv")).Split(',')[1].Trim();
        var other = uuid == "GPU-aaaa" ? "GPU-bbbb" : "GPU-aaaa";
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.Equal(0, _server.Loop.Gpus!.UnhealthyGpuMask);

        // An application XID (13) on the job's GPU is reported, not counted; a hardware one (79) on it marks it.
        File.AppendAllText(Path.Combine(_dir, "kern.log"), XidLine(30, uuid, 13, "Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0)"));
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.Equal(0, _server.Loop.Gpus.UnhealthyGpuMask);
        Assert.Contains("XID 13", _server.Loop.Gpus.LastProblem, StringComparison.Ordinal);
        File.AppendAllText(Path.Combine(_dir, "kern.log"), XidLine(50, uuid, 79, "GPU has fallen off the bus."));
        File.Delete(Path.Combine(_dir, "app.csv"));
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.Equal("xid 79", _server.Loop.Gpus.Unhealthy[uuid]);
        Assert.Contains(_server.Store.Events(_server.Store.Find(job.Id)!), e => e.Kind == "Requeued" && e.Message.Contains("unhealthy GPU", StringComparison.Ordinal));
        Assert.Equal([uuid == "GPU-aaaa" ? 0 : 1], await UnhealthyIndicesAsync());

        // The same lines read again are not new: two clean readings and it is back in service.
        for (var i = 0; i < 2; i++)
        {
            _clock.Advance(20);
            _server.Loop.RunOnce();
        }

        Assert.DoesNotContain(uuid, _server.Loop.Gpus.Unhealthy.Keys);
        Assert.DoesNotContain(other, _server.Loop.Gpus.Unhealthy.Keys);
        Assert.Empty(await UnhealthyIndicesAsync());
    }

    /// <summary>What <c>nvidia-smi nvlink -e</c> prints for the two stand-in GPUs, with link 1 of <paramref name="uuid"/> at <paramref name="crc"/> CRC errors.</summary>
    private static string Nvlink(string uuid, long crc) => string.Concat(new[] { "GPU-aaaa", "GPU-bbbb" }.Select((gpu, i) =>
        $"GPU {i}: NVIDIA A100-SXM4-80GB (UUID: {gpu})\n"
        + "\t Link 0: Replay Errors: 0\n\t Link 0: Recovery Errors: 0\n\t Link 0: CRC Errors: 0\n\n"
        + $"\t Link 1: Replay Errors: 0\n\t Link 1: Recovery Errors: 0\n\t Link 1: CRC Errors: {(gpu == uuid ? crc : 0)}\n"));

    [Fact]
    public async Task NvlinkCrcErrors_Rising_WithholdTheGpu_RequeueItsJob()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Busy);
        File.WriteAllText(Path.Combine(_dir, "nvlink.txt"), Nvlink("GPU-aaaa", 0));
        await StartAsync();
        var job = await RunningJobAsync();
        var uuid = File.ReadAllText(Path.Combine(_dir, "app.csv")).Split(',')[1].Trim();
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.Equal(0, _server.Loop.Gpus!.UnhealthyGpuMask);

        File.WriteAllText(Path.Combine(_dir, "nvlink.txt"), Nvlink(uuid, 3));
        File.Delete(Path.Combine(_dir, "app.csv"));
        _clock.Advance(20);
        _server.Loop.RunOnce();
        Assert.Equal("nvlink link 1 CRC errors rose by 3 to 3", _server.Loop.Gpus.Unhealthy[uuid]);
        Assert.Single(_server.Loop.Gpus.Unhealthy);
        Assert.Contains(_server.Store.Events(_server.Store.Find(job.Id)!), e => e.Kind == "Requeued" && e.Message.Contains("unhealthy GPU", StringComparison.Ordinal));
    }

    public static TheoryData<string> KernelLogNeverMarks => ["dmesg not permitted", "dmesg missing", "malformed XID line", "XID on an unknown bus", "malformed nvlink output"];

    [Theory]
    [MemberData(nameof(KernelLogNeverMarks))]
    public async Task MissingOrMalformedKernelLogOrNvlink_NeverMarksAGpu(string log)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(Path.Combine(_dir, "gpus.csv"), Busy);
        if (log == "dmesg not permitted")
        {
            File.WriteAllText(Path.Combine(_dir, "dmesg.denied"), string.Empty);
        }
        else if (log == "dmesg missing")
        {
            File.Delete(Dmesg);
        }

        await StartAsync();
        var job = await RunningJobAsync();
        var first = _server.Loop.Gpus!.LastProblem;
        File.WriteAllText(Path.Combine(_dir, "kern.log"), log switch
        {
            "malformed XID line" => "2024-01-01T00:00:30 NVRM: Xid (PCI:0000:3b:00): seventy-nine, GPU has fallen off the bus.\n"
                + "yesterday NVRM: Xid (PCI:0000:86:00): 79, pid=1, name=x, GPU has fallen off the bus.\n",
            "malformed nvlink output" => string.Empty,
            "XID on an unknown bus" => XidLine(30, "GPU-aaaa", 79, "GPU has fallen off the bus.").Replace(":3b:00", ":c1:00", StringComparison.Ordinal),
            _ => XidLine(30, "GPU-aaaa", 79, "GPU has fallen off the bus.") + XidLine(30, "GPU-bbbb", 79, "GPU has fallen off the bus."),
        });
        if (log == "malformed nvlink output")
        {
            // No UUID in the header, a count that is not one, a link with no GPU above it: all unknown.
            File.WriteAllText(Path.Combine(_dir, "nvlink.txt"), "GPU 0: NVIDIA A100-SXM4-80GB\n\t Link 1: CRC Errors: 7\nGPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-bbbb)\n\t Link 1: CRC Errors: lots\n\t Link 1: CRC Errors: -4\n");
        }

        var problems = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(20);
            _server.Loop.RunOnce();
            problems.Add(_server.Loop.Gpus!.LastProblem);
        }

        Assert.Equal(0, _server.Loop.Gpus!.UnhealthyGpuMask);
        Assert.Equal(JobState.Running, _server.Store.Find(job.Id)!.State);
        var expected = log switch
        {
            "dmesg not permitted" => "Operation not permitted",
            "dmesg missing" => "could not be run",
            "malformed XID line" => "kernel log XID line skipped",
            "malformed nvlink output" => "nvidia-smi nvlink header skipped",
            _ => "XID 79 on 0000:c1:00 not counted",
        };
        if (log.StartsWith("dmesg", StringComparison.Ordinal))
        {
            // Said at the first reading, and not again at every later one.
            Assert.Contains(expected, first ?? string.Empty, StringComparison.Ordinal);
            var said = Assert.Single(_server.Store.NodeEvents(LocalMachine.NodeName));
            Assert.Equal("GpuTelemetry", said.Kind);
            Assert.Contains(expected, said.Message, StringComparison.Ordinal);
            Assert.All(problems, p => Assert.DoesNotContain("XID errors are not read", p ?? string.Empty, StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains(expected, problems[0] ?? string.Empty, StringComparison.Ordinal);
        }
    }

    /// <summary>The GPUs <c>GET /api/v1/nodes</c> shows unhealthy (the dashboard's grid draws them hatched).</summary>
    private async Task<int[]> UnhealthyIndicesAsync() =>
        (await _http.GetFromJsonAsync<NodeView[]>("api/v1/nodes", ApiJson.Responses))!.SelectMany(n => n.Gpus).Where(g => !g.Healthy).Select(g => g.Index).ToArray();
}
