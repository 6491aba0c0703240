using Berth.Model;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Berth.Runtime.Lifecycle;
using Berth.Server.Jobs;

namespace Berth.Server.Executors;

/// <summary>
/// Runs each pod of a started job as a process on this machine: its command with <c>CUDA_VISIBLE_DEVICES</c> set
/// to the UUIDs of its GPUs (indices when there are no UUIDs), the job's env, <c>BERTH_JOB_ID</c> and
/// <c>BERTH_POD</c>; stdout and stderr appended to <c>DIR/jobs/JOB/POD.out|.err</c> by the process itself (so
/// they outlive the server). All pods exit 0: Succeeded; one exits otherwise: the others are stopped and the job
/// Failed. Stop (cancel, requeue) sends SIGTERM, then SIGKILL after the grace period; a job with a checkpoint signal
/// gets that signal first and SIGTERM half the grace period later.
/// <para>
/// After a server restart, a running job whose pods' processes all still run (pid files: pid and start time) is
/// re-adopted and watched again; one whose pods all ended while the server was down ends by their exit files;
/// otherwise what still runs is killed and the job is marked lost and requeued, so it never runs twice at once. Not thread-safe for one job from two threads; the loop and the API call it
/// under the store's change order.
/// </para>
/// </summary>
public sealed class LocalExecutor(string directory, LocalMachine machine, TimeProvider realTime, TimeSpan grace) : IExecutor
{
    private readonly ConcurrentDictionary<string, List<(string Pod, Process Process)>> _runs = new(StringComparer.Ordinal);

    public static string LogPath(string directory, string job, string pod, string stream) =>
        Path.Combine(directory, "jobs", job, PodFile(pod) + (stream == "stderr" ? ".err" : ".out"));

    /// <summary>The launcher process of each pod of each job it watches, by job id: the roots of the jobs' process trees.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> Launchers()
    {
        var launchers = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        foreach (var (job, processes) in _runs)
        {
            launchers[job] = processes.Select(p => p.Process.Id).ToArray();
        }

        return launchers;
    }

    public void Start(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var folder = Path.Combine(directory, "jobs", job.Id);
        Directory.CreateDirectory(folder);
        var processes = new List<(string, Process)>();
        foreach (var binding in job.Bindings)
        {
            var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = folder, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Launcher);
            foreach (var arg in job.Spec.Command ?? [])
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (name, value) in job.Spec.Env ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            var gpus = Gpus.Indices(binding.GpuMask);
            start.Environment["CUDA_VISIBLE_DEVICES"] = string.Join(',', gpus.Select(g => g < machine.GpuUuids.Count ? machine.GpuUuids[g] : g.ToString(CultureInfo.InvariantCulture)));
            if (binding.GpuMilli is > 0 and < Limits.GpuMilliPerGpu)
            {
                // A share of one GPU: under NVIDIA MPS the client may use that share of the GPU's threads (an MPS
                // server must run on the machine for the limit to bind; without one it is an unused variable).
                start.Environment["CUDA_MPS_ACTIVE_THREAD_PERCENTAGE"] = Math.Max(1, binding.GpuMilli / 10).ToString(CultureInfo.InvariantCulture);
                if (job.Workload.PodSets[binding.PodSet].Template.GpuMemoryMiB is > 0 and var pinned)
                {
                    start.Environment["CUDA_MPS_PINNED_DEVICE_MEM_LIMIT"] = string.Create(CultureInfo.InvariantCulture, $"0={pinned}M");
                }
            }

            start.Environment["BERTH_JOB_ID"] = job.Id;
            start.Environment["BERTH_POD"] = binding.Pod;
            start.Environment["BERTH_STDOUT"] = LogPath(directory, job.Id, binding.Pod, "stdout");
            start.Environment["BERTH_STDERR"] = LogPath(directory, job.Id, binding.Pod, "stderr");
            var exit = Path.Combine(folder, PodFile(binding.Pod) + ".exit");
            File.Delete(exit);
            start.Environment["BERTH_EXIT"] = exit;
            var process = Process.Start(start)!;
            File.WriteAllText(Path.Combine(folder, PodFile(binding.Pod) + ".pid"), $"{process.Id} {StartTime(process.Id)}");
            processes.Add((binding.Pod, process));
        }

        _runs[job.Id] = processes;
    }

    public void Stop(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_runs.TryRemove(job.Id, out var processes))
        {
            Terminate(processes.Select(p => p.Process).ToArray(), job.Spec.CheckpointSignal is { } signal ? JobValidation.LocalSignal(signal) : null);
        }
    }

    public IReadOnlyList<(JobRecord Job, JobState State, string Message)> Ended(IReadOnlyList<JobRecord> running, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(running);
        var ended = new List<(JobRecord, JobState, string)>();
        foreach (var job in running.Where(j => j.StartedAt is not null))
        {
            if (!_runs.TryGetValue(job.Id, out var processes) && Adopt(job) is { } adopted)
            {
                // After a restart: every pod's process still runs (same pid and start time), so it is watched again.
                _runs[job.Id] = processes = adopted;
            }

            if (processes is null && ExitFiles(job) is { } codes)
            {
                // Every pod ended while the server was down; their exit codes say how.
                ended.Add(codes.All(c => c.Code == 0)
                    ? (job, JobState.Succeeded, $"all {codes.Count} pods exited with code 0 while the server was down")
                    : (job, JobState.Failed, $"pod {codes.First(c => c.Code != 0).Pod} exited with code {codes.First(c => c.Code != 0).Code} while the server was down"));
                continue;
            }

            if (processes is null)
            {
                var killed = KillLeftovers(job);
                // Never twice at once: what still runs of the old start is killed first; then it goes back to its queue.
                ended.Add((job, JobState.Pending, $"lost: the server restarted while it ran; {(killed.Count == 0 ? "none of its processes was still running" : $"its processes still running were killed (pids {string.Join(", ", killed)})")}; requeued at its place"));
                continue;
            }

            var failed = processes.Select(p => (p.Pod, Code: CodeOf(job, p.Pod, p.Process))).FirstOrDefault(p => p.Code is not (null or 0));
            if (failed.Pod is not null)
            {
                Stop(job);
                ended.Add((job, JobState.Failed, $"pod {failed.Pod} exited with code {failed.Code}; the other pods were stopped"));
            }
            else if (processes.All(p => p.Process.HasExited))
            {
                _runs.TryRemove(job.Id, out _);
                ended.Add((job, JobState.Succeeded, $"all {processes.Count} pods exited with code 0"));
            }
            else if (job.Workload.Duration is { } limit && now - job.StartedAt!.Value > limit)
            {
                Stop(job);
                ended.Add((job, JobState.Failed, $"ran past its time limit of {job.Spec.Duration}; stopped"));
            }
        }

        return ended;
    }

    private void Terminate(IReadOnlyList<Process> processes, string? checkpoint)
    {
        if (checkpoint is null)
        {
            Signal(processes, "TERM");
        }
        else
        {
            Signal(processes, checkpoint);
            _ = Task.Delay(grace / 2, realTime).ContinueWith(_ => Signal(processes, "TERM"), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        _ = Task.Delay(grace, realTime).ContinueWith(
            _ =>
            {
                foreach (var process in processes.Where(p => !p.HasExited))
                {
                    process.Kill(entireProcessTree: true);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private static void Signal(IReadOnlyList<Process> processes, string signal)
    {
        foreach (var process in processes.Where(p => !p.HasExited))
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false });
            kill?.WaitForExit(5_000);
        }
    }

    /// <summary>
    /// Runs a pod's command as a child of a small shell that forwards TERM, HUP, USR1 and USR2 to it, waits for it,
    /// and writes its exit code to <c>$BERTH_EXIT</c> before exiting with it: so the code outlives the server, and a
    /// server started again learns how a pod it did not start ended.
    /// </summary>
    private const string Launcher = """
        "$0" "$@" >>"$BERTH_STDOUT" 2>>"$BERTH_STDERR" </dev/null &
        child=$!
        for s in TERM HUP USR1 USR2; do trap "kill -$s $child 2>/dev/null" $s; done
        while :; do wait $child; code=$?; kill -0 $child 2>/dev/null || break; done
        echo $code > "$BERTH_EXIT"
        exit $code
        """;

    /// <summary>A pod's exit code once it ended (null while it runs): its exit file, else the process's own.</summary>
    private string? ExitFile(JobRecord job, string pod) => Path.Combine(directory, "jobs", job.Id, PodFile(pod) + ".exit");

    private int? CodeOf(JobRecord job, string pod, Process process)
    {
        if (!process.HasExited)
        {
            return null;
        }

        if (File.Exists(ExitFile(job, pod)) && int.TryParse(File.ReadAllText(ExitFile(job, pod)!).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
        {
            return code;
        }

        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1; // adopted, and gone without an exit file (killed outright)
        }
    }

    /// <summary>The processes of a running job whose pid files name processes that all still run; null when any is gone.</summary>
    private List<(string Pod, Process Process)>? Adopt(JobRecord job)
    {
        var adopted = new List<(string, Process)>();
        foreach (var binding in job.Bindings)
        {
            var file = Path.Combine(directory, "jobs", job.Id, PodFile(binding.Pod) + ".pid");
            var parts = File.Exists(file) ? File.ReadAllText(file).Split(' ', 2) : [];
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || StartTime(pid) != parts[1])
            {
                return null;
            }

            try
            {
                adopted.Add((binding.Pod, Process.GetProcessById(pid)));
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        return adopted.Count > 0 ? adopted : null;
    }

    /// <summary>Every pod's exit code from its exit file, when each has one; null otherwise.</summary>
    private List<(string Pod, int Code)>? ExitFiles(JobRecord job)
    {
        var codes = new List<(string, int)>();
        foreach (var binding in job.Bindings)
        {
            var file = ExitFile(job, binding.Pod)!;
            if (!File.Exists(file) || !int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
            {
                return null;
            }

            codes.Add((binding.Pod, code));
        }

        return codes.Count > 0 ? codes : null;
    }

    /// <summary>Kills the processes of a job's pid files that still run (same pid, same start time); returns their pids.</summary>
    private List<int> KillLeftovers(JobRecord job)
    {
        var killed = new List<int>();
        foreach (var binding in job.Bindings)
        {
            var file = Path.Combine(directory, "jobs", job.Id, PodFile(binding.Pod) + ".pid");
            if (!File.Exists(file))
            {
                continue;
            }

            var parts = File.ReadAllText(file).Split(' ', 2);
            if (int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && parts.Length == 2 && StartTime(pid) is { } started && started == parts[1])
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    killed.Add(pid);
                }
                catch (ArgumentException)
                {
                    // gone meanwhile
                }
            }
        }

        return killed;
    }

    /// <summary>The start time of a process in clock ticks since boot (<c>/proc/PID/stat</c> field 22); null when it is gone.</summary>
    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string PodFile(string pod) => pod[(pod.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
