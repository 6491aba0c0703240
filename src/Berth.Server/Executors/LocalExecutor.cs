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
/// After a server restart, the processes of jobs that were running are not re-adopted: each pod's pid file
/// (pid and start time) finds the process if it still runs, which is then killed, and the job is marked lost and
/// requeued, so it never runs twice at once. Not thread-safe for one job from two threads; the loop and the API call it
/// under the store's change order.
/// </para>
/// </summary>
public sealed class LocalExecutor(string directory, LocalMachine machine, TimeProvider realTime, TimeSpan grace) : IExecutor
{
    private readonly ConcurrentDictionary<string, List<(string Pod, Process Process)>> _runs = new(StringComparer.Ordinal);

    public static string LogPath(string directory, string job, string pod, string stream) =>
        Path.Combine(directory, "jobs", job, PodFile(pod) + (stream == "stderr" ? ".err" : ".out"));

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
            start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$BERTH_STDOUT\" 2>>\"$BERTH_STDERR\" </dev/null");
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
            }

            start.Environment["BERTH_JOB_ID"] = job.Id;
            start.Environment["BERTH_POD"] = binding.Pod;
            start.Environment["BERTH_STDOUT"] = LogPath(directory, job.Id, binding.Pod, "stdout");
            start.Environment["BERTH_STDERR"] = LogPath(directory, job.Id, binding.Pod, "stderr");
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
            if (!_runs.TryGetValue(job.Id, out var processes))
            {
                var killed = KillLeftovers(job);
                // Never twice at once: what still runs of the old start is killed first; then it goes back to its queue.
                ended.Add((job, JobState.Pending, $"lost: the server restarted while it ran; {(killed.Count == 0 ? "none of its processes was still running" : $"its processes still running were killed (pids {string.Join(", ", killed)})")}; requeued at its place"));
                continue;
            }

            var failed = processes.FirstOrDefault(p => p.Process.HasExited && p.Process.ExitCode != 0);
            if (failed.Process is not null)
            {
                Stop(job);
                ended.Add((job, JobState.Failed, $"pod {failed.Pod} exited with code {failed.Process.ExitCode}; the other pods were stopped"));
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
