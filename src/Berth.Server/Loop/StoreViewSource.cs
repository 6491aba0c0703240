using Berth.Runtime.Ports;
using Berth.Runtime.View;
using Berth.Server.Jobs;
using Berth.Server.Store;

namespace Berth.Server.Loop;

/// <summary>
/// The server's <see cref="IClusterViewSource"/>: the store's active jobs as workloads (each a group of pods Berth
/// binds itself), the configured nodes, at the server clock's now. Held jobs stay out of the view (they keep their
/// submit time, so they come back at their place). <see cref="Jobs"/> is the snapshot the last view was built from.
/// <para>
/// With <paramref name="gpus"/> (the local executor's telemetry), running jobs carry their measured GPU activity and the
/// local node's unhealthy GPUs are withheld (what runs on them is requeued by the cycle).
/// </para>
/// </summary>
public sealed class StoreViewSource(ServerStore store, ServerCluster cluster, TimeProvider time, Telemetry.LocalGpuTelemetry? gpus = null) : IClusterViewSource
{
    private static readonly IReadOnlyList<ViewPod> NoPods = [];

    /// <summary>Jobs of the last view, by id: what a plan's steps are applied against.</summary>
    public IReadOnlyDictionary<string, JobRecord> Jobs { get; private set; } = new Dictionary<string, JobRecord>();

    public ClusterView Current()
    {
        var now = time.GetUtcNow();
        var jobs = store.Active();
        var byId = new Dictionary<string, JobRecord>(jobs.Count, StringComparer.Ordinal);
        var workloads = new List<ViewWorkload>(jobs.Count);
        var held = new List<HeldCapacity>();
        foreach (var job in jobs)
        {
            byId[job.Id] = job;
            if (store.Problems.TryGetValue(job.Id, out var problem))
            {
                // Never admitted again; while it runs its pods still hold what they hold.
                held.AddRange(job.State == JobState.Running ? job.Bindings.Select(b => new HeldCapacity(b.Pod, b.Node, PodOf(b), b.GpuMask, Leaving: false)) : []);
                if (job.State == JobState.Pending)
                {
                    workloads.Add(new ViewWorkload { Id = job.Id, Kind = WorkloadKind.PodGroup, Workload = job.Workload, Created = job.Created, Problem = new ViewProblem("ConfigurationChanged", problem) });
                }

                continue;
            }

            if (job.State == JobState.Held)
            {
                continue;
            }

            // A job restarting after a failed try waits out its backoff, at its place in the queue.
            if (job.State == JobState.Pending && job.Requeues > 0 && job.FinishedAt is { } failedAt && failedAt + RestartPolicy.Backoff(job.Requeues) > now)
            {
                workloads.Add(WorkloadOf(job) with { Problem = new ViewProblem("Backoff", RestartPolicy.Waiting(job.Requeues, failedAt + RestartPolicy.Backoff(job.Requeues))) });
                continue;
            }

            var workload = WorkloadOf(job);
            workloads.Add(gpus is not null && workload.Running && gpus.Activity.TryGetValue(job.Id, out var activity) ? workload with { GpuActivity = activity } : workload);
        }

        workloads.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        held.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        Jobs = byId;
        var cordoned = store.Cordoned;
        return new ClusterView
        {
            Now = now,
            Configuration = cluster.Configuration,
            Nodes = cluster.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new ViewNode(n, Usable: !cordoned.Contains(n.Name), Healthy: true, UnhealthyGpuMask: n.Name == Executors.LocalMachine.NodeName ? gpus?.UnhealthyGpuMask ?? 0 : 0)).ToArray(),
            Held = held,
            Workloads = workloads,
        };
    }

    /// <summary>The key of pod <paramref name="index"/> of pod set <paramref name="set"/>: <c>JOB/SET-INDEX</c>.</summary>
    public static string PodKey(JobRecord job, int set, int index) => $"{job.Id}/{job.Workload.PodSets[set].Name}-{index}";

    private static ViewWorkload WorkloadOf(JobRecord job)
    {
        var running = job.State == JobState.Running;
        IReadOnlyList<ViewPod> members = NoPods;
        if (job.Workload.PodSets.Count > 0)
        {
            var list = new List<ViewPod>(job.Workload.PodCount);
            var bound = running ? job.Bindings.ToDictionary(b => b.Pod, StringComparer.Ordinal) : null;
            for (var s = 0; s < job.Workload.PodSets.Count; s++)
            {
                var set = job.Workload.PodSets[s];
                for (var i = 0; i < set.Count; i++)
                {
                    var key = PodKey(job, s, i);
                    var b = bound?.GetValueOrDefault(key);
                    list.Add(new ViewPod(key, key, s, set.Template, b?.Node, b?.GpuMask, BerthScheduled: true));
                }
            }

            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            members = list;
        }

        return new ViewWorkload
        {
            Id = job.Id,
            Kind = WorkloadKind.PodGroup,
            Workload = job.Workload,
            Created = job.Created,
            Running = running,
            Memo = running ? job.Memo : null,
            Members = members,
            ReadyPods = running ? job.Bindings.Count : 0,
            PodsReadyAt = running ? job.StartedAt : null,
        };
    }

    /// <summary>What a bound pod holds when its job's spec can no longer be read: the GPUs of its binding.</summary>
    private static Berth.Model.Pod PodOf(PodBinding binding)
    {
        var gpus = System.Numerics.BitOperations.PopCount((uint)binding.GpuMask);
        return new Berth.Model.Pod { Name = binding.Pod, GpuCount = gpus, GpuMilli = gpus == 0 ? 0 : binding.GpuMilli };
    }
}
