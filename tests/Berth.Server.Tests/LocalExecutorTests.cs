using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Berth.Model;
using Berth.Server.Api;
using Berth.Server.Executors;
using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.TestKit;

namespace Berth.Server.Tests;

/// <summary>The local executor with real processes (Linux: /bin/sh), on a machine of 2 fake GPUs so that CUDA_VISIBLE_DEVICES is set.</summary>
public sealed class LocalExecutorTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
    private BerthServer _server = null!;
    private HttpClient _http = null!;
    private readonly ManualTime _clock = new();

    public Task InitializeAsync() => StartAsync(TimeSpan.FromSeconds(1));

    private async Task StartAsync(TimeSpan grace)
    {
        var machine = new LocalMachine(new Node { Name = LocalMachine.NodeName, CpuMilli = 4000, MemoryMiB = 8192, GpuCount = 2, GpuModel = "A100" }, ["GPU-aaaa", "GPU-bbbb"]);
        _server = await BerthServer.StartAsync(new ServerOptions { DataDirectory = _dir, Cluster = machine.Cluster(), LocalMachine = machine, Port = 0, Clock = _clock, CycleInterval = null, StopGrace = grace });
        _http = new HttpClient { BaseAddress = _server.Url };
        _http.DefaultRequestHeaders.Authorization = new("Bearer", _server.AdminToken ?? File.ReadAllText(Path.Combine(_dir, "admin.token")).Trim());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a temporary folder left behind is harmless
        }
    }

    private async Task<JobView> SubmitAsync(string[] command, int gpus = 1)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = command, Env = new Dictionary<string, string> { ["GREETING"] = "hello" }, PodSets = [new PodSetSpec { Count = 1, Gpus = gpus }] }, ApiJson.Responses);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses))!;
    }

    /// <summary>Runs cycles until the job is final (a bound of 60 s on a slow machine; no timing is asserted).</summary>
    private JobRecord RunUntilFinal(string id)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            _server.Loop.RunOnce();
            if (_server.Store.Find(id)!.State.IsFinal())
            {
                return _server.Store.Find(id)!;
            }

            Thread.Sleep(50);
        }

        return _server.Store.Find(id)!;
    }

    [Fact]
    public async Task Job_RunsItsCommandWithItsGpus_AndSucceedsOnExitZero_WithLogs()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var job = await SubmitAsync(["/bin/sh", "-c", "echo \"$GREETING $CUDA_VISIBLE_DEVICES $BERTH_JOB_ID\"; echo oops >&2"]);
        var done = RunUntilFinal(job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        var stdout = await _http.GetStringAsync($"api/v1/jobs/{job.Id}/logs");
        Assert.Equal($"hello GPU-aaaa {job.Id}", stdout.Trim());
        Assert.Equal("oops", (await _http.GetStringAsync($"api/v1/jobs/{job.Id}/logs?stream=stderr")).Trim());

        // Following: from a byte offset, with the next offset in a header.
        using var tail = await _http.GetAsync($"api/v1/jobs/{job.Id}/logs?offset=6");
        Assert.Equal($"GPU-aaaa {job.Id}", (await tail.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(stdout.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), tail.Headers.GetValues("Berth-Log-Offset").Single());
        Assert.Equal("Succeeded", tail.Headers.GetValues("Berth-Job-State").Single());
    }

    [Fact]
    public async Task Share_RunsWithTheMpsThreadPercentageOfItsShare_WholeGpusWithout()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = ["/bin/sh", "-c", "echo \"share=${CUDA_MPS_ACTIVE_THREAD_PERCENTAGE:-none} mem=${CUDA_MPS_PINNED_DEVICE_MEM_LIMIT:-none} $CUDA_VISIBLE_DEVICES\""], PodSets = [new PodSetSpec { Count = 1, GpuShare = 0.25, GpuMemoryGiB = 2 }] }, ApiJson.Responses);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var share = (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses))!;
        Assert.Equal(JobState.Succeeded, RunUntilFinal(share.Id).State);
        Assert.StartsWith("share=25 mem=0=2048M GPU-", (await _http.GetStringAsync($"api/v1/jobs/{share.Id}/logs")).Trim(), StringComparison.Ordinal);

        var whole = await SubmitAsync(["/bin/sh", "-c", "echo \"share=${CUDA_MPS_ACTIVE_THREAD_PERCENTAGE:-none}\""]);
        Assert.Equal(JobState.Succeeded, RunUntilFinal(whole.Id).State);
        Assert.Equal("share=none", (await _http.GetStringAsync($"api/v1/jobs/{whole.Id}/logs")).Trim());
    }

    /// <summary>The pid in a pod's pid file.</summary>
    private static int PidOf(string pidFile) => int.Parse(File.ReadAllText(pidFile).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The server goes away without stopping its processes, as when it is killed; a new one opens the same data (and runs its first cycle).</summary>
    private async Task CrashAndRestartAsync(Action? whileDown = null)
    {
        _http.Dispose();
        await _server.DisposeAsync();
        whileDown?.Invoke();
        await InitializeAsync();
    }

    [Fact]
    public async Task Restart_WhileAJobRuns_ReadoptsItsProcess_WhichEndsTheJobWhenItExits()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var job = await SubmitAsync(["/bin/sh", "-c", "while [ ! -f go ]; do sleep 0.05; done; echo done"]);
        _server.Loop.RunOnce();
        var folder = Path.Combine(_dir, "jobs", job.Id);
        var pidFile = Directory.GetFiles(folder, "*.pid").Single();
        var pid = PidOf(pidFile);
        using var process = Process.GetProcessById(pid);

        await CrashAndRestartAsync();
        Assert.False(process.HasExited, "the restart stopped the process it should have adopted");
        _server.Loop.RunOnce();
        var record = _server.Store.Find(job.Id)!;
        Assert.Equal(JobState.Running, record.State);
        Assert.Equal(pid, PidOf(pidFile)); // not started again

        File.WriteAllText(Path.Combine(folder, "go"), string.Empty);
        var done = RunUntilFinal(job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("done", (await _http.GetStringAsync($"api/v1/jobs/{job.Id}/logs")).Trim());
        var view = (await _http.GetFromJsonAsync<JobView>($"api/v1/jobs/{job.Id}", ApiJson.Responses))!;
        Assert.DoesNotContain(view.Events!, e => e.Kind == "Lost");
    }

    [Fact]
    public async Task Restart_AfterTheJobEndedWhileTheServerWasDown_TakesItsExitCode()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var job = await SubmitAsync(["/bin/sh", "-c", "while [ ! -f go ]; do sleep 0.05; done; exit 5"]);
        _server.Loop.RunOnce();
        var folder = Path.Combine(_dir, "jobs", job.Id);
        using var process = Process.GetProcessById(PidOf(Directory.GetFiles(folder, "*.pid").Single()));

        await CrashAndRestartAsync(() =>
        {
            File.WriteAllText(Path.Combine(folder, "go"), string.Empty);
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the process did not end");
        });

        var record = _server.Store.Find(job.Id)!;
        Assert.Equal(JobState.Failed, record.State);
        Assert.Contains("exited with code 5 while the server was down", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_AfterTheProcessWasKilledOutright_RequeuesTheJobAsLost_NeverTwiceAtOnce()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var job = await SubmitAsync(["/bin/sleep", "300"]);
        _server.Loop.RunOnce();
        var pidFile = Directory.GetFiles(Path.Combine(_dir, "jobs", job.Id), "*.pid").Single();
        var oldPid = PidOf(pidFile);
        using var old = Process.GetProcessById(oldPid);

        await CrashAndRestartAsync(() =>
        {
            old.Kill(entireProcessTree: true); // no exit code written: the job cannot say how it ended
            Assert.True(old.WaitForExit(TimeSpan.FromSeconds(30)));
        });

        var view = (await _http.GetFromJsonAsync<JobView>($"api/v1/jobs/{job.Id}", ApiJson.Responses))!;
        Assert.Contains(view.Events!, e => e.Kind == "Lost");
        _server.Loop.RunOnce();
        Assert.Equal(JobState.Running, _server.Store.Find(job.Id)!.State);
        Assert.NotEqual(oldPid, PidOf(pidFile));

        // The run open at the crash was closed when the restarted server found the job lost; the new one is open.
        var runs = _server.Store.Runs(_server.Store.Find(job.Id)!);
        Assert.Equal([("Lost", true), (null, false)], runs.Select(r => (r.Outcome, r.Ended is not null)));
        using var cancel = await _http.DeleteAsync($"api/v1/jobs/{job.Id}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
    }

    [Fact]
    public async Task Cancel_CheckpointableJob_GetsItsSignalBeforeSigterm()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A grace period of 6 s: SIGTERM comes 3 s after the checkpoint signal, SIGKILL 3 s later, whatever the load.
        _http.Dispose();
        await _server.DisposeAsync();
        await StartAsync(TimeSpan.FromSeconds(6));
        var script = "trap 'echo checkpoint' USR1; trap 'echo term; exit 0' TERM; echo started; while true; do sleep 0.05; done";
        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = ["/bin/sh", "-c", script], CheckpointSignal = "SIGUSR1", PodSets = [new PodSetSpec { Count = 1, Gpus = 1 }] }, ApiJson.Responses);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var job = (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses))!;
        _server.Loop.RunOnce();
        var pidFile = Directory.GetFiles(Path.Combine(_dir, "jobs", job.Id), "*.pid").Single();
        using var process = Process.GetProcessById(int.Parse(File.ReadAllText(pidFile).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            // The trap must be set before the signal comes; the log file exists once the shell has opened it.
            using var logs = await _http.GetAsync($"api/v1/jobs/{job.Id}/logs");
            if (logs.IsSuccessStatusCode && (await logs.Content.ReadAsStringAsync()).Contains("started", StringComparison.Ordinal))
            {
                break;
            }

            Thread.Sleep(20);
        }

        using var cancel = await _http.DeleteAsync($"api/v1/jobs/{job.Id}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the process still runs after cancel");
        var lines = (await _http.GetStringAsync($"api/v1/jobs/{job.Id}/logs")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["started", "checkpoint", "term"], lines);
    }

    [Theory]
    [InlineData(null, 2.0)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.5, 2000.0)]
    public async Task Submit_GpuMemoryWithoutAShareOrOutOfRange_IsRefused(double? share, double memory)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = ["/bin/true"], PodSets = [new PodSetSpec { Count = 1, Gpus = share is null ? 1 : 0, GpuShare = share, GpuMemoryGiB = memory }] }, ApiJson.Responses);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("gpuMemoryGiB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KILL")]
    [InlineData("SIGSTOP")]
    [InlineData("")]
    public async Task Submit_CheckpointSignalBerthDoesNotSend_IsRefused(string signal)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = ["/bin/true"], CheckpointSignal = signal, PodSets = [new PodSetSpec { Count = 1 }] }, ApiJson.Responses);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("checkpointSignal", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnFailure_FailedTriesRestartAfterDoublingBackoff_ThenTheJobFailsPastItsLimit()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = ["/bin/sh", "-c", "echo try; exit 3"], RestartPolicy = "OnFailure", BackoffLimit = 2, PodSets = [new PodSetSpec { Count = 1 }] }, ApiJson.Responses);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses))!.Id;

        foreach (var backoff in new[] { 10, 20 })
        {
            var waiting = RunUntil(id, j => j.State == JobState.Pending && j.Requeues > 0 && j.StartedAt is null);
            Assert.Equal(backoff / 10, waiting.Requeues);
            _server.Loop.RunOnce();
            var view = (await _http.GetFromJsonAsync<JobView>($"api/v1/jobs/{id}", ApiJson.Responses))!;
            Assert.Equal(JobState.Pending, view.State);
            Assert.Equal("Backoff", view.Pending!.Code);
            _clock.Advance(backoff - 1);
            _server.Loop.RunOnce();
            Assert.Equal(JobState.Pending, _server.Store.Find(id)!.State); // one second before its backoff ends
            _clock.Advance(1);
        }

        var done = RunUntilFinal(id);
        Assert.Equal(JobState.Failed, done.State);
        Assert.Contains("exited with code 3", done.Message, StringComparison.Ordinal);
        var events = (await _http.GetFromJsonAsync<JobView>($"api/v1/jobs/{id}", ApiJson.Responses))!.Events!;
        Assert.Equal(2, events.Count(e => e.Kind == "Restarting"));
        Assert.Equal(3, (await _http.GetStringAsync($"api/v1/jobs/{id}/logs")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("Always", null, "restartPolicy")]
    [InlineData(null, 2, "backoffLimit")]
    [InlineData("OnFailure", 101, "backoffLimit")]
    public async Task Submit_BadRestartPolicy_IsRefusedNamingTheField(string? policy, int? limit, string field)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", Command = ["/bin/true"], RestartPolicy = policy, BackoffLimit = limit, PodSets = [new PodSetSpec { Count = 1 }] }, ApiJson.Responses);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Runs cycles until <paramref name="done"/> holds for the job (a bound of 60 s; no timing is asserted).</summary>
    private JobRecord RunUntil(string id, Func<JobRecord, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            _server.Loop.RunOnce();
            if (done(_server.Store.Find(id)!))
            {
                return _server.Store.Find(id)!;
            }

            Thread.Sleep(50);
        }

        return _server.Store.Find(id)!;
    }

    [Fact]
    public void Discover_WithAStandInNvidiaSmiPrintingItsRealCsv_FindsTheGpusAndTheirUuids()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The output of `nvidia-smi --query-gpu=index,uuid,name --format=csv,noheader` on a two-GPU machine.
        var dir = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(dir);
        var smi = Path.Combine(dir, "nvidia-smi");
        File.WriteAllText(smi, "#!/bin/sh\n[ \"$1 $2\" = \"--query-gpu=index,uuid,name --format=csv,noheader\" ] || exit 9\n"
            + "echo '0, GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b, NVIDIA H100 80GB HBM3'\n"
            + "echo '1, GPU-7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d, NVIDIA H100 80GB HBM3'\n");
        File.SetUnixFileMode(smi, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var machine = LocalMachine.Discover(smi);
        Assert.Equal((2, "H100"), (machine.Node.GpuCount, machine.Node.GpuModel));
        Assert.Equal(["GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b", "GPU-7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d"], machine.GpuUuids);
        var none = LocalMachine.Discover(Path.Combine(dir, "missing-nvidia-smi"));
        Assert.Equal((0, (string?)null), (none.Node.GpuCount, none.Node.GpuModel));
    }

    [Fact]
    public async Task Job_FailsWithItsExitCode()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var job = await SubmitAsync(["/bin/sh", "-c", "exit 3"], gpus: 0);
        var done = RunUntilFinal(job.Id);
        Assert.Equal(JobState.Failed, done.State);
        Assert.Contains("exited with code 3", done.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_StopsTheProcess()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var job = await SubmitAsync(["/bin/sleep", "300"]);
        _server.Loop.RunOnce();
        Assert.Equal(JobState.Running, _server.Store.Find(job.Id)!.State);
        var pidFile = Directory.GetFiles(Path.Combine(_dir, "jobs", job.Id), "*.pid").Single();
        var pid = int.Parse(File.ReadAllText(pidFile).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);

        using var cancel = await _http.DeleteAsync($"api/v1/jobs/{job.Id}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the process still runs after cancel");
        Assert.Equal(JobState.Cancelled, _server.Store.Find(job.Id)!.State);
    }

    [Fact]
    public async Task CpuOnlyMachine_RunsAJob()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var machine = new LocalMachine(new Node { Name = LocalMachine.NodeName, CpuMilli = 2000, MemoryMiB = 4096 }, []);
        var dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
        await using var server = await BerthServer.StartAsync(new ServerOptions { DataDirectory = dir, Cluster = machine.Cluster(), LocalMachine = machine, Port = 0, Clock = new ManualTime(), CycleInterval = null });
        var (job, _) = server.Store.Submit(new JobSpec { Queue = "default", Command = ["/bin/true"], PodSets = [new PodSetSpec { Count = 1, Cpu = 1 }] }, null, DateTimeOffset.UnixEpoch);
        var watch = Stopwatch.StartNew();
        while (!server.Store.Find(job.Id)!.State.IsFinal() && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            server.Loop.RunOnce();
            Thread.Sleep(50);
        }

        Assert.Equal(JobState.Succeeded, server.Store.Find(job.Id)!.State);
    }

    [Fact]
    public async Task Submit_WithoutACommand_IsRefused()
    {
        using var response = await _http.PostAsJsonAsync("api/v1/jobs", new JobSpec { Queue = "default", PodSets = [new PodSetSpec { Count = 1 }] }, ApiJson.Responses);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"field\":\"command\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, _server.Store.Count);
    }
}
