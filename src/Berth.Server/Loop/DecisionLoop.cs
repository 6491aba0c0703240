using System.Diagnostics;
using System.Globalization;
using Berth.Runtime.Cycle;
using Berth.Runtime.Plan;
using Berth.Server.Executors;
using Berth.Server.Jobs;
using Berth.Server.Store;

namespace Berth.Server.Loop;

/// <summary>
/// The server's decision loop, one cycle at a time: the executor reports the jobs that ended; the store's jobs
/// become a <c>ClusterView</c>; <see cref="DecisionCycle.Plan"/> decides; <see cref="StorePlanWriter"/> writes the
/// plan to the store. A restart takes the same path as any cycle (the view is built from the store alone).
/// Cycles run in the background after each change and every <c>interval</c>, or one by one through
/// <see cref="RunOnce"/> (tests, on a manual clock).
/// <para>
/// With <paramref name="gpus"/> (the local executor's nvidia-smi telemetry), each cycle first refreshes it, so idle
/// policies and GPU health act on measured data; an unhealthy GPU shows in the <c>berth_gpu_unhealthy</c> gauge and in
/// the events of the jobs requeued from it.
/// </para>
/// </summary>
public sealed class DecisionLoop(ServerStore store, ServerCluster cluster, TimeProvider time, IExecutor executor, CycleOptions options, ServerMetrics metrics, Telemetry.LocalGpuTelemetry? gpus = null)
{
    /// <summary>The key under which the server's clock is kept, so that it never goes back across a restart.</summary>
    public const string ClockKey = "clock";

    private readonly Lock _cycle = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private IReadOnlyDictionary<string, PendingInfo> _pending = new Dictionary<string, PendingInfo>();
    private IReadOnlyList<QuotaGauge> _quota = [];
    private ServerCluster _cluster = cluster;

    /// <summary>True once a cycle has run: the server has decided on what the store holds.</summary>
    public bool Ready { get; private set; }

    public long Cycles { get; private set; }

    /// <summary>The nodes and queueing configuration cycles decide over; an admin's queue edit replaces it.</summary>
    public ServerCluster Cluster
    {
        get => Volatile.Read(ref _cluster);
        set => Volatile.Write(ref _cluster, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Why each waiting job waits, from the last cycle.</summary>
    public IReadOnlyDictionary<string, PendingInfo> Pending => Volatile.Read(ref _pending);

    /// <summary>The cluster's GPUs over time, a point per cycle that changed them.</summary>
    public ClusterTimeline Timeline { get; } = new();

    /// <summary>The pending reasons each job has had.</summary>
    public ReasonHistory Reasons { get; } = new();

    /// <summary>Quota use of each queue, flavor and resource, from the last cycle.</summary>
    public IReadOnlyList<QuotaGauge> Quota => Volatile.Read(ref _quota);

    /// <summary>The local GPUs' telemetry; null on simulated nodes.</summary>
    public Telemetry.LocalGpuTelemetry? Gpus => gpus;

    /// <summary>Runs one cycle now (waits for one in progress). Returns the updates it applied.</summary>
    public IReadOnlyList<JobUpdate> RunOnce()
    {
        lock (_cycle)
        {
            var watch = Stopwatch.StartNew();
            var now = time.GetUtcNow();
            var applied = new List<JobUpdate>();

            // 1. What ended on the executor.
            var running = store.Active().Where(j => j.State == JobState.Running).ToArray();
            var ended = executor.Ended(running, now);
            if (ended.Count > 0)
            {
                // Pending: lost by a restart and requeued (it keeps its submit order); otherwise it ended.
                // An OnFailure job that failed goes back to its queue with backoff (FinishedAt: when its last try ended).
                applied.AddRange(store.Apply(ended.Select(e => e.State == JobState.Pending
                    ? new JobUpdate(e.Job, e.Job with { State = JobState.Pending, Memo = null, Bindings = [], AdmittedAt = null, StartedAt = null, Message = e.Message }, [new JobEvent(now, "Lost", e.Message)])
                    : e.State == JobState.Failed && RestartPolicy.Restarts(e.Job.Spec, e.Job.Requeues)
                        ? new JobUpdate(e.Job, e.Job with { State = JobState.Pending, Memo = null, Bindings = [], AdmittedAt = null, StartedAt = null, FinishedAt = now, Requeues = e.Job.Requeues + 1, Message = e.Message },
                            [new JobEvent(now, "Restarting", $"{e.Message}; restart {e.Job.Requeues + 1} of {e.Job.Spec.BackoffLimit ?? RestartPolicy.DefaultBackoffLimit} after {RestartPolicy.Backoff(e.Job.Requeues + 1).TotalSeconds:0}s")])
                        : new JobUpdate(e.Job, e.Job with { State = e.State, FinishedAt = now, Message = e.Message }, [new JobEvent(now, e.State.ToString(), e.Message)])).ToArray()));
            }

            // 2. What the GPUs say (local executor only): activity of running jobs, unhealthy GPUs.
            gpus?.Refresh(now, store.Active().Where(j => j.State == JobState.Running).ToArray());
            if (gpus?.Notice is { } notice)
            {
                store.AddNodeEvent(Executors.LocalMachine.NodeName, new JobEvent(now, "GpuTelemetry", notice));
            }

            foreach (var change in gpus?.HealthChanges ?? [])
            {
                store.AddNodeEvent(Executors.LocalMachine.NodeName, new JobEvent(now, change.Healthy ? "GpuHealthy" : "GpuUnhealthy", $"GPU {gpus!.IndexOf(change.Gpu)} ({change.Gpu}): {change.Message}"));
            }

            // 3. View, plan, write.
            var source = new StoreViewSource(store, Cluster, time, gpus);
            var view = source.Current() with { Now = now };
            var plan = DecisionCycle.Plan(view, options);
            var writer = new StorePlanWriter(store, executor, source.Jobs, now, ActivityOf);
            writer.WriteAsync(plan, CancellationToken.None).GetAwaiter().GetResult();
            applied.AddRange(writer.Applied);
            foreach (var job in source.Jobs.Values.Where(j => j.State == JobState.Held))
            {
                writer.Pending[job.Id] = new PendingInfo("Held", "held by a user; release it to queue it again at its place", null, null, null);
            }

            Volatile.Write(ref _pending, writer.Pending);
            Reasons.Record(now, writer.Pending);
            Timeline.Record(now, Cluster.Nodes, store.Active().Where(j => j.HoldsGpus), ActivityOf);
            Volatile.Write(ref _quota, plan.Quota.ToArray());
            store.SetMeta(ClockKey, now.UtcTicks.ToString(CultureInfo.InvariantCulture));
            Cycles++;
            Ready = true;
            metrics.Observe(store.All(), plan, watch.Elapsed, now, view.Configuration.Queues, gpus);
            return applied;
        }
    }

    /// <summary>
    /// A running job's GPU activity, 0 to 1: measured by nvidia-smi where the local telemetry has it, else as the job
    /// states it (simulated nodes); null where neither says, as unknown is neither busy nor idle.
    /// </summary>
    public double? ActivityOf(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return gpus is not null && gpus.Activity.TryGetValue(job.Id, out var measured) ? measured : job.Spec.GpuActivity;
    }

    /// <summary>Asks for a cycle soon (after a submit, a cancel); never blocks.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // already woken
        }
    }

    /// <summary>
    /// Runs cycles until <paramref name="stopping"/>: after a <see cref="Wake"/> and at least every
    /// <paramref name="interval"/> of real time, but never sooner than <paramref name="gap"/>, nor than twice the
    /// last cycle's own time, after the last one: under a burst of submits one cycle takes many jobs, and cycles
    /// over a long queue take at most a third of the CPU from the API.
    /// </summary>
    public async Task RunAsync(TimeSpan interval, TimeSpan gap, TimeProvider realTime, Action<Exception> onError, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(realTime);
        ArgumentNullException.ThrowIfNull(onError);
        while (!stopping.IsCancellationRequested)
        {
            var started = realTime.GetTimestamp();
            try
            {
                RunOnce();
            }
#pragma warning disable CA1031 // a failed cycle is reported and the next one tries again: the server keeps serving
            catch (Exception e)
#pragma warning restore CA1031
            {
                onError(e);
            }

            try
            {
                var rest = TimeSpan.FromTicks(Math.Max(gap.Ticks, 2 * realTime.GetElapsedTime(started).Ticks));
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, realTime, stopping).ConfigureAwait(false);
                }

                using var timeout = new CancellationTokenSource(interval, realTime);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
                await _wake.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the interval passed, or the server stops
            }
        }
    }
}
