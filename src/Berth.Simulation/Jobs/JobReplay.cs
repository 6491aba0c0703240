using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Loop;
using Berth.Runtime.Plan;
using Berth.Simulation.Clock;
using Berth.Simulation.Metrics;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// Job-level replay of a <see cref="Scenario"/> under one admission profile, on a <see cref="VirtualClock"/>
/// at one-second resolution: a discrete-event driver of the Runtime's <see cref="WorkloadLoop"/>. Workloads arrive
/// at their submit time; the loop admits them; they run their duration (longer in proportion when elastic and
/// admitted smaller), finish, or are evicted and requeued, resuming from their last checkpoint. Pods of an admitted
/// gang become ready after the workload's startup time; admission checks answer after their delay. The replay
/// keeps only what a simulation adds (the event queue, virtual time, durations, startups, checkpoints, the answers
/// of admission checks, metrics): every lifecycle rule (backoff, retry limits, failures and their reasons) is the
/// loop's, and the replay acts on the plan steps it returns. Runs until nothing is left to happen (or the
/// scenario's horizon); workloads still waiting then are unfinished.
/// </summary>
public static class JobReplay
{
    public static JobRunResult Run(Scenario scenario, string profile, JobReplayOptions? replayOptions = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        replayOptions ??= new JobReplayOptions();
        var wall = replayOptions.WallClock ?? TimeProvider.System;
        var started = wall.GetTimestamp();
        var options = ScenarioProfiles.Apply(scenario, profile);
        var clock = new VirtualClock();
        var typical = scenario.Workloads.SelectMany(w => w.PodSets.Select(s => s.Template)).Take(20_000).ToArray();
        var loop = new WorkloadLoop(scenario.Nodes, scenario.Queues, options, clock, typical);
        var scheduler = loop.Engine;
        var queueNames = scenario.Queues.Queues.Select(q => q.Name).ToArray();
        var queueIndex = queueNames.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var totalGpus = scenario.Nodes.Sum(n => (double)n.GpuCount);
        var staging = new DataStaging(scenario.Nodes, scenario.StageInGbPerSecond);

        // Admission checks per queue: all answer together after the longest delay; Retry while any still would.
        var checks = scenario.Queues.Queues.Select(q =>
        {
            var list = scenario.Queues.AdmissionChecks.Where(c => q.AdmissionChecks.Contains(c.Name, StringComparer.Ordinal)).ToArray();
            return list.Length == 0 ? (Delay: (TimeSpan?)null, RetryTimes: 0) : (Delay: (TimeSpan?)list.Max(c => c.Delay), RetryTimes: list.Max(c => c.RetryTimes));
        }).ToArray();

        var jobs = new Dictionary<string, Job>(StringComparer.Ordinal);
        var events = new PriorityQueue<SimEvent, (long, long)>();
        long seq = 0;
        var workEvents = 0; // queued events other than spot reclaims: while none is left, no new reclaim is drawn
        void Push(long at, SimEventKind kind, Job? job, int epoch = 0)
        {
            workEvents++;
            events.Enqueue(new SimEvent(kind, job, epoch), (at, seq++));
        }

        var reclaims = SpotReclaimProcess.For(scenario);
        void PushNode(long at, SimEventKind kind, int node) => events.Enqueue(new SimEvent(kind, null, node), (at, seq++));
        foreach (var node in reclaims?.Nodes ?? [])
        {
            PushNode(reclaims!.NextReclaim(node, 0), SimEventKind.SpotReclaim, node);
        }
        foreach (var w in scenario.Workloads)
        {
            var job = new Job(w, queueIndex[w.Queue]);
            jobs[w.Id] = job;
            Push(Seconds(w.SubmitTime), SimEventKind.Arrive, job);
        }

        var horizon = scenario.Horizon is { } h ? Seconds(h) : long.MaxValue;
        var hash = new EventLogHash();
        var log = replayOptions.KeepEvents ? new List<AdmissionEvent>() : null;
        var metrics = new Integrals(queueNames.Length);
        var timeline = new List<TimelinePoint>();
        long lastWake = -1;
        var now = 0L;
        var firstSubmit = scenario.Workloads.Count > 0 ? Seconds(scenario.Workloads.Min(w => w.SubmitTime)) : 0;
        if (scenario.Running.Count > 0 || scenario.Withheld.Count > 0)
        {
            firstSubmit = Math.Min(firstSubmit, 0);
        }

        metrics.Last = firstSubmit;
        RestoreInitialState(scenario, loop, jobs, queueIndex, Push, metrics);
        var sampleEvery = Math.Max(1, replayOptions.TimelineStep is { } step ? Seconds(step) : 0);
        var nextSample = firstSubmit;
        var processed = 0;

        while (events.TryPeek(out _, out var key) && key.Item1 <= horizon)
        {
            now = key.Item1;
            metrics.Advance(now, scheduler, jobs.Values);
            while (nextSample <= now && replayOptions.TimelineStep is not null)
            {
                timeline.Add(Sample(nextSample, scheduler, metrics, queueNames.Length));
                nextSample += sampleEvery;
            }

            clock.AdvanceTo(now);

            // All events at this time, then one admission pass.
            while (events.TryPeek(out var e, out var k) && k.Item1 == now)
            {
                events.Dequeue();
                processed++;
                var job = e.Job;
                if (e.Kind is not (SimEventKind.SpotReclaim or SimEventKind.SpotReturn))
                {
                    workEvents--;
                }

                switch (e.Kind)
                {
                    case SimEventKind.SpotReclaim when workEvents > 0:
                        loop.NodeReclaimed(scenario.Nodes[e.Epoch].Name);
                        PushNode(now + reclaims!.Downtime, SimEventKind.SpotReturn, e.Epoch);
                        break;
                    case SimEventKind.SpotReturn:
                        loop.NodeReturned(scenario.Nodes[e.Epoch].Name);
                        if (workEvents > 0)
                        {
                            PushNode(reclaims!.NextReclaim(e.Epoch, now), SimEventKind.SpotReclaim, e.Epoch);
                        }

                        break;
                    case SimEventKind.Arrive:
                        loop.Arrived(job!.Workload);
                        break;
                    case SimEventKind.End when job!.Epoch == e.Epoch && job.Running:
                        job.Running = false;
                        metrics.RemoveBusy(job);
                        if (job.EndsByMaxRunTime)
                        {
                            loop.RanOutOfTime(job.Workload.Id);
                        }
                        else
                        {
                            loop.Finished(job.Workload.Id);
                        }

                        break;
                    case SimEventKind.ReadyCheck when job!.Epoch == e.Epoch && job.Admitted && !job.Running:
                        loop.ReadyDeadlinePassed(job.Workload.Id);
                        break;
                    case SimEventKind.ChecksDone when job!.Epoch == e.Epoch && job.Admitted && !job.Running:
                        // The simulated checks ask for a retry the first RetryTimes times they answer, then say Ready.
                        var retry = loop.CheckRetries(job.Workload.Id) < checks[job.Queue].RetryTimes;
                        if (loop.ChecksAnswered(job.Workload.Id, retry))
                        {
                            Start(job, now, loop, Push, metrics);
                        }

                        break;
                    case SimEventKind.Ready when job!.Epoch == e.Epoch && job.Admitted:
                        job.Running = true;
                        metrics.AddBusy(job);
                        break;
                    default:
                        break; // stale (the job was evicted or ended since) or a wake-up
                }
            }

            var outcome = loop.Cycle();
            foreach (var planStep in outcome.Steps)
            {
                Apply(planStep, jobs, now, loop, Push, metrics, checks, staging);
            }

            foreach (var ev in outcome.Events)
            {
                Hash(hash, ev);
                log?.Add(ev);
            }

            if (loop.NextWakeUp is { } wake && Seconds(wake) > now && Seconds(wake) != lastWake)
            {
                lastWake = Seconds(wake);
                Push(lastWake, SimEventKind.Wake, null);
            }

            replayOptions.Progress?.Report(processed);
        }

        // The end: what is left waiting is unfinished (its wait is counted to here).
        var end = Math.Max(now, firstSubmit);
        if (events.Count > 0 && horizon != long.MaxValue && horizon > end)
        {
            end = horizon; // nothing happened between the last event and the horizon
            clock.AdvanceTo(end);
        }

        replayOptions.AtEnd?.Invoke(scheduler);
        metrics.Advance(end, scheduler, jobs.Values);
        if (replayOptions.TimelineStep is not null)
        {
            timeline.Add(Sample(end, scheduler, metrics, queueNames.Length));
        }

        var records = jobs.Values.OrderBy(j => j.Workload.SubmitTime).ThenBy(j => j.Workload.Id, StringComparer.Ordinal)
            .Select(j => j.ToRecord(queueNames[j.Queue], end)).ToArray();
        var span = Math.Max(1, end - firstSubmit);
        var stats = new List<QueueStats>();
        for (var q = 0; q <= queueNames.Length; q++)
        {
            var all = q == queueNames.Length;
            var mine = records.Where(r => !r.Restored && (all || r.Queue == queueNames[q])).ToArray();
            var queueJobs = all ? jobs.Values : jobs.Values.Where(j => j.Queue == q);
            stats.Add(Stats(all ? "*" : queueNames[q], mine, queueJobs)
                with
                {
                    GpuAllocPct = 100 * (all ? metrics.Allocated : metrics.QueueAllocated[q]) / span / 1000 / Math.Max(1, totalGpus),
                    GpuUtilPct = 100 * (all ? metrics.Busy : metrics.QueueBusy[q]) / span / 1000 / Math.Max(1, totalGpus),
                    IdleGangGpuHours = (all ? metrics.IdleGang : metrics.QueueIdleGang[q]) / 1000 / 3600,
                    GpuYieldPct = 100 * (all ? metrics.Used : metrics.QueueUsed[q]) / span / 1000 / Math.Max(1, totalGpus),
                    AllocatedGpuHours = (all ? metrics.Allocated : metrics.QueueAllocated[q]) / 1000 / 3600,
                    UsedGpuHours = (all ? metrics.Used : metrics.QueueUsed[q]) / 1000 / 3600,
                });
        }

        var nominal = queueNames.Select((_, q) => scenario.Queues.Queues[q].Flavors.Sum(f => (f.Gpu?.Nominal ?? 0) / 1000.0)).ToArray();
        return new JobRunResult(scenario.Name, profile)
        {
            Queues = stats,
            Jobs = records,
            Timeline = timeline,
            Events = (IReadOnlyList<AdmissionEvent>?)log ?? [],
            EventLogHash = hash.Value,
            TotalGpus = totalGpus,
            NominalGpus = nominal,
            Makespan = TimeSpan.FromSeconds(end - firstSubmit),
            WallSeconds = wall.GetElapsedTime(started).TotalSeconds,
        };
    }

    /// <summary>
    /// The state at time 0 of a scenario taken from a live cluster, in the order the controller rebuilds it: the
    /// running workloads restored where their pods are (list order), then the capacity held by pods no queue is
    /// charged for, then pods of running workloads with no place given are placed. The caller checked that every
    /// given place and every held pod fits in that order (see <see cref="Scenario.Running"/>); a misfit here is a bug.
    /// </summary>
    private static void RestoreInitialState(Scenario scenario, WorkloadLoop loop, Dictionary<string, Job> jobs, Dictionary<string, int> queueIndex, Action<long, SimEventKind, Job?, int> push, Integrals metrics)
    {
        var scheduler = loop.Engine;
        foreach (var running in scenario.Running)
        {
            var w = running.Workload;
            var counts = w.PodSets.Select(s => s.Count).ToArray();
            var state = scheduler.Restore(w, running.Flavor, running.Pods, -running.Elapsed, out var misfits, counts);
            if (misfits.Count > 0)
            {
                throw new ArgumentException($"scenario {scenario.Name}: running workload {w.Id} has {misfits.Count} pod(s) that do not fit where they are said to be (first: node {misfits[0].Node}); the initial state must fit the cluster", nameof(scenario));
            }

            var job = new Job(w, queueIndex[w.Queue])
            {
                Admitted = true,
                Restored = true,
                FirstStart = 0,
                GpusHeld = state.Usage.GpuMilli,
                PodsHeld = w.PodCount,
                FullPods = w.PodCount,
                RanBefore = Seconds(running.Elapsed),
            };
            jobs[w.Id] = job;
            metrics.QueueGpuNow[job.Queue] += job.GpusHeld;
            Start(job, 0, loop, push, metrics);
        }

        foreach (var held in scenario.Withheld)
        {
            if (!scheduler.Withhold(held.Node, held.Pod, held.GpuMask))
            {
                throw new ArgumentException($"scenario {scenario.Name}: withheld pod {held.Pod.Name} does not fit on node {held.Node} beside the running workloads; the initial state must fit the cluster", nameof(scenario));
            }
        }

        // Null: they do not fit now; the workload is charged to quota only.
        foreach (var running in scenario.Running.Where(r => r.Pods.Count < r.Workload.PodCount))
        {
            _ = scheduler.PlaceRemaining(running.Workload.Id);
        }
    }

    /// <summary>What a plan step of the loop means for the simulated job: its books, its metrics, its next events.</summary>
    private static void Apply(PlanStep step, Dictionary<string, Job> jobs, long now, WorkloadLoop loop, Action<long, SimEventKind, Job?, int> push, Integrals metrics, (TimeSpan? Delay, int RetryTimes)[] checks, DataStaging staging)
    {
        switch (step)
        {
            case AdmitStep admit:
            {
                var job = jobs[admit.Workload];
                job.Epoch++;
                job.Admitted = true;
                job.AdmittedAt = now;
                job.FirstStart ??= now;
                job.Wait += now - job.PendingSince;
                job.GpusHeld = admit.GpuMilli;
                job.PodsHeld = admit.Pods;
                metrics.QueueGpuNow[job.Queue] += admit.GpuMilli;
                job.FullPods = job.Workload.PodCount;
                (var movedGb, job.StageIn) = staging.Stage(job.Workload, admit.Memo.Pods);
                job.DataMovedGb += movedGb;
                if (checks[job.Queue].Delay is { } delay)
                {
                    // Quota and nodes are reserved; the job starts once its queue's admission checks say Ready.
                    push(now + Seconds(delay), SimEventKind.ChecksDone, job, job.Epoch);
                    break;
                }

                Start(job, now, loop, push, metrics);
                break;
            }

            case RequeueStep requeue:
            {
                var job = jobs[requeue.Workload];
                if (job.Running)
                {
                    metrics.RemoveBusy(job);
                    var ran = Math.Max(0, now - job.ReadyAt); // evicted while still fetching its data: no work done
                    var saved = job.Workload.CheckpointInterval is { } interval && interval > TimeSpan.Zero
                        ? ran / Seconds(interval) * Seconds(interval)
                        : 0;
                    var fraction = (double)job.PodsHeld / Math.Max(1, job.FullPods);
                    job.RemainingWork = Math.Max(0, job.RemainingWork - saved * fraction);
                    job.RanBefore += saved;
                    var lost = (ran - saved) * (double)job.GpusHeld;
                    job.LostGpuMilliSeconds += lost;
                    job.LostUsefulGpuMilliSeconds += lost * job.Activity;
                    metrics.Lost[job.Queue] += lost;
                }

                if (job.Admitted)
                {
                    metrics.QueueGpuNow[job.Queue] -= job.GpusHeld;
                }

                if (requeue.Reason.IsPreemption())
                {
                    job.Preemptions++;
                }

                job.Evictions++;
                job.Epoch++;
                job.Running = false;
                job.Admitted = false;
                job.PendingSince = now;
                break;
            }

            case QueuedStep queued:
                jobs[queued.Workload].PendingSince = now;
                break;
            case IdleStep idle:
                jobs[idle.Workload].FoundIdle = true;
                break;
            case CompletedStep completed:
            {
                var job = jobs[completed.Workload];
                metrics.QueueGpuNow[job.Queue] -= job.GpusHeld;
                job.End = now;
                job.Outcome = JobOutcome.Completed;
                job.Admitted = false;
                break;
            }

            case StopStep stop:
            {
                var job = jobs[stop.Workload];
                if (job.Running)
                {
                    metrics.RemoveBusy(job);
                    job.Running = false;
                }

                if (job.Admitted)
                {
                    metrics.QueueGpuNow[job.Queue] -= job.GpusHeld;
                }
                else
                {
                    job.Wait += now - job.PendingSince;
                }

                job.End = now;
                job.Outcome = JobOutcome.Failed;
                job.FailReason = stop.Code;
                job.Admitted = false;
                break;
            }

            default:
                break; // backoffs: the engine keeps them and wakes the replay when they end
        }
    }

    /// <summary>
    /// The pods of an admitted job start: ready after its startup time, then it runs its remaining work, or up to its
    /// max run time (the loop says which, and when a startup misses the pods-ready deadline).
    /// </summary>
    private static void Start(Job job, long now, WorkloadLoop loop, Action<long, SimEventKind, Job?, int> push, Integrals metrics)
    {
        var startup = Seconds(job.Workload.StartupTime ?? TimeSpan.Zero);
        if (loop.ReadyDeadline(TimeSpan.FromSeconds(startup)) is { } deadline)
        {
            push(now + Seconds(deadline), SimEventKind.ReadyCheck, job, job.Epoch);
            return;
        }

        job.ReadyAt = now + startup + job.StageIn; // its datasets are fetched once its pods are up, before its work starts
        var scale = (double)job.FullPods / Math.Max(1, job.PodsHeld);
        var work = (long)Math.Ceiling(job.RemainingWork * scale);
        var (run, stops) = WorkloadLifecycle.CapAtMaxRunTime(TimeSpan.FromSeconds(work), TimeSpan.FromSeconds(job.RanBefore), job.Workload.MaxRunTime);
        job.EndsByMaxRunTime = stops;
        if (startup == 0)
        {
            job.Running = true;
            metrics.AddBusy(job);
        }
        else
        {
            push(now + startup, SimEventKind.Ready, job, job.Epoch);
        }

        push(now + startup + job.StageIn + Seconds(run), SimEventKind.End, job, job.Epoch);
    }

    private static void Hash(EventLogHash hash, AdmissionEvent ev)
    {
        hash.Add((long)ev.At.TotalSeconds);
        hash.Add((long)ev.Kind);
        foreach (var c in ev.Workload)
        {
            hash.Add(c);
        }

        foreach (var c in ev.Reason ?? string.Empty)
        {
            hash.Add(c);
        }

        hash.Add(ev.Pods);
        foreach (var c in ev.Detail)
        {
            hash.Add(c);
        }
    }

    private static TimelinePoint Sample(long at, AdmissionScheduler scheduler, Integrals metrics, int queues)
    {
        var perQueue = new double[queues];
        for (var q = 0; q < queues; q++)
        {
            perQueue[q] = metrics.QueueGpuNow[q] / 1000.0;
        }

        var pending = 0;
        for (var q = 0; q < queues; q++)
        {
            pending += scheduler.PendingCount(q);
        }

        return new TimelinePoint(TimeSpan.FromSeconds(at), scheduler.Cluster.AllocatedGpuMilli / 1000.0, metrics.BusyNow / 1000.0, scheduler.HeldIdleGpuMilli / 1000.0, perQueue, pending);
    }

    private static QueueStats Stats(string name, IReadOnlyList<JobRecord> records, IEnumerable<Job> jobs)
    {
        var completed = records.Where(r => r.Outcome == JobOutcome.Completed).ToArray();
        var jct = completed.Select(r => r.Jct!.Value.TotalSeconds).Order().ToArray();
        var waits = records.Where(r => r.Outcome != JobOutcome.Failed || r.FirstStart is not null).Select(r => r.Wait.TotalSeconds).Order().ToArray();
        var slow = completed.Select(r => r.Slowdown ?? 1).ToArray();
        var jobList = jobs.ToArray();
        return new QueueStats(name)
        {
            Jobs = records.Count,
            Completed = completed.Length,
            Failed = records.Count(r => r.Outcome == JobOutcome.Failed),
            Unfinished = records.Count(r => r.Outcome == JobOutcome.Unfinished),
            MeanJct = jct.Length > 0 ? jct.Average() : 0,
            P50Jct = Percentile(jct, 0.50),
            P95Jct = Percentile(jct, 0.95),
            P99Jct = Percentile(jct, 0.99),
            MeanWait = waits.Length > 0 ? waits.Average() : 0,
            P50Wait = Percentile(waits, 0.50),
            P95Wait = Percentile(waits, 0.95),
            P99Wait = Percentile(waits, 0.99),
            MeanSlowdown = slow.Length > 0 ? slow.Average() : 0,
            Preemptions = jobList.Sum(j => j.Preemptions),
            LostGpuHours = jobList.Sum(j => j.LostGpuMilliSeconds) / 1000 / 3600,
            LostUsefulGpuHours = jobList.Sum(j => j.LostUsefulGpuMilliSeconds) / 1000 / 3600,
            IdleJobs = jobList.Count(j => j.FoundIdle),
            DataMovedGb = records.Sum(r => r.DataMovedGb),
            IdleReclaimed = records.Count(r => r.FailReason == IdleGpus.ReclaimedReason),
        };
    }

    /// <summary>Nearest-rank percentile of sorted values (0 for none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static long Seconds(TimeSpan t) => (long)Math.Floor(t.TotalSeconds);

    private enum SimEventKind
    {
        Arrive,
        Ready,
        ReadyCheck,
        ChecksDone,
        End,
        Wake,

        /// <summary>A spot node is reclaimed (<see cref="SimEvent.Epoch"/> is the node's index).</summary>
        SpotReclaim,

        /// <summary>A reclaimed spot node is back (<see cref="SimEvent.Epoch"/> is the node's index).</summary>
        SpotReturn,
    }

    private readonly record struct SimEvent(SimEventKind Kind, Job? Job, int Epoch);

    /// <summary>Time integrals of GPU use (milli-GPU seconds), overall and per queue.</summary>
    private sealed class Integrals(int queues)
    {
        public long Last { get; set; }

        public double Allocated { get; private set; }

        public double Busy { get; private set; }

        public double IdleGang { get; private set; }

        public double[] QueueAllocated { get; } = new double[queues];

        public double[] QueueBusy { get; } = new double[queues];

        public double[] QueueIdleGang { get; } = new double[queues];

        public double[] QueueGpuNow { get; } = new double[queues];

        public double[] QueueBusyNow { get; } = new double[queues];

        public double[] Lost { get; } = new double[queues];

        public double BusyNow { get; private set; }

        /// <summary>Milli-GPU seconds of GPUs doing work: busy GPUs weighted by their jobs' activity.</summary>
        public double Used { get; private set; }

        public double[] QueueUsed { get; } = new double[queues];

        private double UsedNow { get; set; }

        private double[] QueueUsedNow { get; } = new double[queues];

        public void AddBusy(Job job)
        {
            BusyNow += job.GpusHeld;
            QueueBusyNow[job.Queue] += job.GpusHeld;
            UsedNow += job.GpusHeld * job.Activity;
            QueueUsedNow[job.Queue] += job.GpusHeld * job.Activity;
        }

        public void RemoveBusy(Job job)
        {
            BusyNow -= job.GpusHeld;
            QueueBusyNow[job.Queue] -= job.GpusHeld;
            UsedNow -= job.GpusHeld * job.Activity;
            QueueUsedNow[job.Queue] -= job.GpusHeld * job.Activity;
        }

        public void Advance(long now, AdmissionScheduler scheduler, IEnumerable<Job> jobs)
        {
            var dt = now - Last;
            if (dt <= 0)
            {
                return;
            }

            Allocated += scheduler.Cluster.AllocatedGpuMilli * (double)dt;
            Busy += BusyNow * dt;
            Used += Math.Max(0, UsedNow) * dt;
            IdleGang += scheduler.HeldIdleGpuMilli * (double)dt;
            for (var q = 0; q < QueueGpuNow.Length; q++)
            {
                QueueAllocated[q] += QueueGpuNow[q] * dt;
                QueueBusy[q] += QueueBusyNow[q] * dt;
                QueueUsed[q] += Math.Max(0, QueueUsedNow[q]) * dt;
            }

            if (scheduler.HeldIdleGpuMilli > 0)
            {
                for (var q = 0; q < QueueIdleGang.Length; q++)
                {
                    QueueIdleGang[q] += scheduler.HeldIdleGpuMilliOf(q) * (double)dt;
                }
            }

            Last = now;
            _ = jobs;
        }
    }

    /// <summary>The replay's own book of one workload.</summary>
    private sealed class Job(Workload workload, int queue)
    {
        public Workload Workload { get; } = workload;

        public int Queue { get; } = queue;

        /// <summary>How busy its GPUs are while it runs (unknown: fully).</summary>
        public double Activity { get; } = workload.GpuActivity ?? 1;

        public int Epoch { get; set; }

        public bool Admitted { get; set; }

        public bool Running { get; set; }

        public bool EndsByMaxRunTime { get; set; }

        public long AdmittedAt { get; set; }

        public long ReadyAt { get; set; }

        public long PendingSince { get; set; }

        public long? FirstStart { get; set; }

        public long? End { get; set; }

        public long Wait { get; set; }

        /// <summary>Seconds of work left at full size.</summary>
        public double RemainingWork { get; set; } = Math.Max(0, Math.Floor((workload.Duration ?? workload.ExpectedRunTime ?? TimeSpan.Zero).TotalSeconds));

        /// <summary>Seconds of run time saved by checkpoints (counted against the max run time).</summary>
        public long RanBefore { get; set; }

        public long GpusHeld { get; set; }

        public int PodsHeld { get; set; }

        public int FullPods { get; set; }

        public int Preemptions { get; set; }

        /// <summary>Seconds its current admission spends fetching datasets its nodes do not cache (<see cref="DataStaging"/>).</summary>
        public long StageIn { get; set; }

        /// <summary>GB of datasets fetched over all its admissions.</summary>
        public double DataMovedGb { get; set; }

        public int Evictions { get; set; }

        /// <summary>Running at time 0 (restored from the scenario's initial state).</summary>
        public bool Restored { get; init; }

        public double LostGpuMilliSeconds { get; set; }

        /// <summary>Lost GPU time weighted by the job's GPU activity: the useful part of what evictions threw away.</summary>
        public double LostUsefulGpuMilliSeconds { get; set; }

        /// <summary>Its GPUs were found idle under its queue's idle-GPU policy at least once.</summary>
        public bool FoundIdle { get; set; }

        public JobOutcome Outcome { get; set; } = JobOutcome.Unfinished;

        public string? FailReason { get; set; }

        public JobRecord ToRecord(string queue, long end)
        {
            var wait = Wait + (Outcome == JobOutcome.Unfinished && !Admitted ? end - PendingSince : 0);
            return new JobRecord(Workload.Id, queue, Workload.SubmitTime, Workload.Request.GpuMilli / 1000.0, Workload.Duration ?? TimeSpan.Zero)
            {
                FirstStart = FirstStart is { } s ? TimeSpan.FromSeconds(s) : null,
                End = End is { } e ? TimeSpan.FromSeconds(e) : null,
                Wait = TimeSpan.FromSeconds(wait),
                Outcome = Outcome,
                FailReason = FailReason,
                Evictions = Evictions,
                Restored = Restored,
                GpuActivity = Workload.GpuActivity,
                DataMovedGb = DataMovedGb,
            };
        }
    }
}
