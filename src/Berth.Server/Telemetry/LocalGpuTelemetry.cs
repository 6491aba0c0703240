using Berth.Runtime.Lifecycle;
using Berth.Server.Executors;
using Berth.Server.Jobs;

namespace Berth.Server.Telemetry;

/// <summary>
/// The local executor's GPUs as the decision loop sees them: each running job's GPU activity (its GPUs' utilization,
/// its processes found among its pods' launcher processes and their descendants) and the GPUs that are unhealthy.
/// A reading is taken at most every <see cref="GpuTelemetryOptions.Interval"/>; when nvidia-smi fails the last reading
/// stays until it is older than <see cref="GpuTelemetryOptions.MaxAge"/>, after which every job's activity is unknown
/// (so no idle policy acts). Nothing here stops a job: the decision loop decides from what it reports. Only the
/// decision loop calls <see cref="Refresh"/>, under its lock.
/// </summary>
public sealed class LocalGpuTelemetry(LocalMachine machine, GpuTelemetryOptions options, Func<IReadOnlyDictionary<string, IReadOnlyList<int>>> launchers, Func<IReadOnlyDictionary<int, int>>? parents = null)
{
    private readonly NvidiaSmiSampler _sampler = new(options.NvidiaSmi, options.Timeout);
    private readonly GpuHealth _health = new(options.RecoverAfter);
    private readonly KernelLogReader _kernelLog = new(options.KernelLog, options.Timeout);
    private readonly Dictionary<string, Queue<double>> _busy = new(StringComparer.Ordinal);
    private readonly Queue<string> _remembered = new();
    private readonly Func<IReadOnlyDictionary<int, int>> _parents = parents ?? ProcessTree.Parents;
    private DateTimeOffset _tried = DateTimeOffset.MinValue;

    /// <summary>The last reading nvidia-smi gave; null: none yet.</summary>
    public GpuSample? Last { get; private set; }

    /// <summary>Age of <see cref="Last"/> at the last refresh; null: no reading yet.</summary>
    public TimeSpan? Age { get; private set; }

    /// <summary>Why the last try gave no reading, or what it skipped; null when it was clean.</summary>
    public string? LastProblem { get; private set; }

    /// <summary>Activity of running jobs by id, from a reading that is not stale; a job missing here is unknown.</summary>
    public IReadOnlyDictionary<string, double> Activity { get; private set; } = new Dictionary<string, double>();

    /// <summary>Utilization of each local GPU by index (0 to 1), from a reading that is not stale; a GPU missing here is unknown.</summary>
    public IReadOnlyDictionary<int, double> ActivityByGpu { get; private set; } = new Dictionary<int, double>();

    /// <summary>GPU memory each running job's processes hold, by id (same reading as <see cref="Activity"/>).</summary>
    public IReadOnlyDictionary<string, long> MemoryMiB { get; private set; } = new Dictionary<string, long>();

    /// <summary>The local node's GPUs held out as unhealthy, as a mask of indices.</summary>
    public int UnhealthyGpuMask { get; private set; }

    /// <summary>Unhealthy GPUs by UUID, with why.</summary>
    public IReadOnlyDictionary<string, string> Unhealthy => _health.Unhealthy;

    /// <summary>GPUs that turned unhealthy or recovered at the last refresh, by UUID (empty when it took no reading).</summary>
    public IReadOnlyList<Berth.Runtime.Health.GpuHealthChange> HealthChanges { get; private set; } = [];

    /// <summary>What the last refresh has to say once (the kernel log cannot be read); null: nothing new.</summary>
    public string? Notice { get; private set; }

    /// <summary>The index of the GPU with <paramref name="uuid"/> on this machine; -1: none.</summary>
    public int IndexOf(string uuid) => machine.GpuUuids.ToList().IndexOf(uuid);

    /// <summary>Busy GPUs of <paramref name="job"/> in each reading while it ran, oldest first (empty: none kept).</summary>
    public IReadOnlyList<double> BusyHistory(string job) => _busy.TryGetValue(job, out var q) ? q.ToArray() : [];

    /// <summary>Takes a reading when one is due, and works out each running job's use from the latest one.</summary>
    public void Refresh(DateTimeOffset now, IReadOnlyList<JobRecord> running)
    {
        ArgumentNullException.ThrowIfNull(running);
        var fresh = false;
        HealthChanges = [];
        Notice = null;
        if (now - _tried >= options.Interval)
        {
            _tried = now;
            if (_sampler.Sample(now, out var error) is { } sample)
            {
                Last = sample;
                fresh = true;
                var problems = sample.Problems.ToList();
                var xids = _kernelLog.Read(now, problems);
                if (_kernelLog.Problem is { } told)
                {
                    problems.Add(told);
                    Notice = told;
                }

                HealthChanges = _health.Observe(sample, xids, problems);
                LastProblem = problems.Count == 0 ? null : string.Join("; ", problems);
                UnhealthyGpuMask = MaskOf(_health.Unhealthy.Keys);
            }
            else
            {
                LastProblem = error;
            }
        }

        Age = now - Last?.At;
        if (Last is not { } last || now - last.At > options.MaxAge)
        {
            Activity = new Dictionary<string, double>();
            MemoryMiB = new Dictionary<string, long>();
            ActivityByGpu = new Dictionary<int, double>();
            return;
        }

        var byGpu = new Dictionary<int, double>();
        for (var index = 0; index < machine.GpuUuids.Count; index++)
        {
            var uuid = machine.GpuUuids[index];
            if (last.Gpus.FirstOrDefault(g => g.Uuid == uuid)?.Utilization is { } utilization)
            {
                byGpu[index] = utilization;
            }
        }

        ActivityByGpu = byGpu;

        var activity = new Dictionary<string, double>(StringComparer.Ordinal);
        var memory = new Dictionary<string, long>(StringComparer.Ordinal);
        var roots = launchers();
        var tree = _parents();
        foreach (var job in running)
        {
            if (!roots.TryGetValue(job.Id, out var pids) || UuidsOf(job) is not { } gpus
                || JobGpuUse.Of(gpus, ProcessTree.Descendants(pids, tree), last) is not { } use)
            {
                continue;
            }

            activity[job.Id] = use.Activity;
            memory[job.Id] = use.MemoryMiB;
            if (fresh)
            {
                Remember(job.Id, use.BusyGpus);
            }
        }

        Activity = activity;
        MemoryMiB = memory;
    }

    private void Remember(string job, double busy)
    {
        if (!_busy.TryGetValue(job, out var history))
        {
            _busy[job] = history = new Queue<double>();
            _remembered.Enqueue(job);
            if (_remembered.Count > options.JobsRemembered)
            {
                _busy.Remove(_remembered.Dequeue());
            }
        }

        history.Enqueue(busy);
        if (history.Count > options.HistoryPerJob)
        {
            history.Dequeue();
        }
    }

    /// <summary>The UUIDs of the GPUs a job's pods hold; null when it holds none or one has no UUID.</summary>
    private List<string>? UuidsOf(JobRecord job)
    {
        var uuids = new List<string>();
        foreach (var index in job.Bindings.SelectMany(b => Gpus.Indices(b.GpuMask)).Distinct())
        {
            if (index >= machine.GpuUuids.Count)
            {
                return null;
            }

            uuids.Add(machine.GpuUuids[index]);
        }

        return uuids.Count == 0 ? null : uuids;
    }

    private int MaskOf(IEnumerable<string> uuids)
    {
        var mask = 0;
        foreach (var uuid in uuids)
        {
            var index = machine.GpuUuids.ToList().IndexOf(uuid);
            if (index is >= 0 and < 32)
            {
                mask |= 1 << index;
            }
        }

        return mask;
    }
}
