using System.Globalization;
using System.Net;
using Berth.Kubernetes.Api;
using Berth.Kubernetes;
using Berth.Kubernetes.Controller;
using Berth.TestKit.Kubernetes;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Cli.Tests.Chaos;

/// <summary>
/// Everything around Berth that a real cluster would do, played by the harness against the fake API server: users
/// submitting a seeded stream of Jobs and PodGroups, the Job controller creating an admitted Job's pods, the kubelet
/// starting bound pods, and workloads finishing (a Job Complete, a PodGroup deleted) with their pods terminating for a
/// while (a finalizer holds them) before they are gone. Single-threaded: only the harness loop calls it.
/// </summary>
internal sealed class ChaosCluster
{
    public const string Namespace = "chaos";

    public const string WorkloadLabel = "chaos.berth.dev/workload";

    /// <summary>Keeps a deleted pod terminating (still holding its GPUs) until the harness lets it go.</summary>
    public const string TerminatingFinalizer = "chaos.berth.dev/terminating";

    /// <summary>A PriorityClass a quarter of the workloads use: they go ahead of older ones, so a new leader that misses a predecessor's binding would hand its GPU to one of them.</summary>
    private const string UrgentClass = "urgent";

    private const int UrgentPriority = 1000;

    private static readonly TimeSpan Termination = TimeSpan.FromMilliseconds(600);

    private readonly FakeApiServer _server;
    private readonly IKubernetes _client;
    private readonly ChaosOptions _options;
    private readonly Random _random;
    private readonly List<ChaosWorkload> _workloads = [];

    public ChaosCluster(FakeApiServer server, IKubernetes client, ChaosOptions options)
    {
        _server = server;
        _client = client;
        _options = options;
        _random = new Random(options.Seed);
    }

    public IReadOnlyList<ChaosWorkload> Workloads => _workloads;

    /// <summary>The seeded stream of choices (also used by the scenario for kill moments), so one seed replays one run's choices.</summary>
    public Random Random => _random;

    public int Submitted => _workloads.Count;

    public int Unfinished => _workloads.Count(w => w.Stage < ChaosStage.Finishing);

    public static string NodeName(int i) => string.Create(CultureInfo.InvariantCulture, $"gpu-{i:D2}");

    public static string QueueName(int i) => string.Create(CultureInfo.InvariantCulture, $"team-{i}");

    /// <summary>Nodes, one flavor, one cohort of queues with nominal quota and a borrowing limit.</summary>
    public void SeedConfiguration()
    {
        _server.Seed(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = Namespace } });
        for (var n = 0; n < _options.Nodes; n++)
        {
            var node = Objects.GpuNode(NodeName(n), _options.GpusPerNode);
            node.Metadata.Labels[KubernetesNames.GpuModelLabel] = "A100";
            _server.Seed(node);
        }

        _server.Seed(Objects.PriorityClass(UrgentClass, UrgentPriority));
        _server.Seed(Objects.Flavor("a100", "a100"));
        _server.Seed(Objects.Cohort("chaos"));
        for (var q = 0; q < _options.Queues; q++)
        {
            _server.Seed(Objects.Queue(QueueName(q), "a100", Text(_options.NominalGpus), cohort: "chaos", borrowingLimit: Text(_options.BorrowingLimitGpus)));
        }
    }

    public ChaosSnapshot Read(DateTimeOffset now, TimeSpan led) =>
        new(now, _server.List<V1Pod>(Namespace), _server.List<V1Job>(Namespace), _server.List<PodGroup>(Namespace), led);

    /// <summary>Admitted, unfinished workloads with fewer bound pods than their minimum (a gang a crash left half bound, or one not bound yet).</summary>
    public IEnumerable<ChaosWorkload> Incomplete(ChaosSnapshot snapshot) => _workloads.Where(w => w.Stage is ChaosStage.Admitted or ChaosStage.Running
        && snapshot.PodsByWorkload[w.Name].Count(p => ChaosSnapshot.HoldsGpus(p) && p.Metadata.DeletionTimestamp is null) < w.MinMember);

    /// <summary>
    /// Moves each workload's stage on from what the server shows, and reports what breaks "admitted exactly once":
    /// a record replaced (another admittedAt) or removed, or a Job suspended again, while the workload is unfinished.
    /// </summary>
    public void Observe(ChaosSnapshot snapshot, Action<ChaosInvariant, string> violation)
    {
        foreach (var w in _workloads.Where(w => w.Stage is ChaosStage.Queued or ChaosStage.Admitted or ChaosStage.Running))
        {
            if (w.IsPod)
            {
                ObservePod(w, snapshot, violation);
                continue;
            }

            V1ObjectMeta? meta = w.IsJob ? snapshot.JobsByName.GetValueOrDefault(w.Name)?.Metadata : snapshot.GroupsByName.GetValueOrDefault(w.Name)?.Metadata;
            if (meta is null)
            {
                violation(ChaosInvariant.AdmittedExactlyOnce, $"{w.Key} is gone from the API server before it finished");
                w.Stage = ChaosStage.Done;
                continue;
            }

            var record = AdmissionRecord.Parse(meta.Annotations);
            if (record is not null && w.AdmittedAt is null)
            {
                w.AdmittedAt = record.AdmittedAt;
                w.AdmittedSeen = snapshot.Now;
                w.AdmittedLed = snapshot.Led;
                w.Stage = ChaosStage.Admitted;
            }
            else if (record is not null && record.AdmittedAt != w.AdmittedAt && !w.Reported)
            {
                w.Reported = true;
                violation(ChaosInvariant.AdmittedExactlyOnce, string.Create(CultureInfo.InvariantCulture, $"{w.Key} admitted again: record admittedAt {record.AdmittedAt:O}, first seen {w.AdmittedAt:O}"));
            }
            else if (record is null && w.AdmittedAt is not null && !w.Reported)
            {
                w.Reported = true;
                violation(ChaosInvariant.AdmittedExactlyOnce, $"{w.Key} lost its admission record while running");
            }

            if (w.IsJob && w.AdmittedAt is not null && snapshot.JobsByName[w.Name].Spec.Suspend == true && !w.Reported)
            {
                w.Reported = true;
                violation(ChaosInvariant.AdmittedExactlyOnce, $"{w.Key} was suspended again after its admission");
            }

            if (w.Stage == ChaosStage.Admitted && snapshot.PodsByWorkload[w.Name].Count(p => ChaosSnapshot.HoldsGpus(p) && p.Status?.Phase == "Running") >= w.MinMember)
            {
                w.Stage = ChaosStage.Running;
                w.RunningSince = snapshot.Now;
            }
        }
    }

    /// <summary>A lone pod is admitted when it is bound; it must never be bound again elsewhere (BoundOnce checks that) nor vanish.</summary>
    private static void ObservePod(ChaosWorkload w, ChaosSnapshot snapshot, Action<ChaosInvariant, string> violation)
    {
        var pod = snapshot.PodsByWorkload[w.Name].FirstOrDefault();
        if (pod is null)
        {
            violation(ChaosInvariant.AdmittedExactlyOnce, $"{w.Key} is gone from the API server before it finished");
            w.Stage = ChaosStage.Done;
            return;
        }

        if (ChaosSnapshot.IsBound(pod) && w.AdmittedAt is null)
        {
            w.AdmittedAt = snapshot.Now;
            w.AdmittedSeen = snapshot.Now;
            w.AdmittedLed = snapshot.Led;
            w.Stage = ChaosStage.Admitted;
        }

        if (w.Stage == ChaosStage.Admitted && pod.Status?.Phase == "Running")
        {
            w.Stage = ChaosStage.Running;
            w.RunningSince = snapshot.Now;
        }
    }

    /// <summary>One step of the world: the Job controller, the kubelet, workloads that finish, pods that finish terminating, and (when asked) new submissions.</summary>
    public async Task ActAsync(ChaosSnapshot snapshot, bool submit, CancellationToken cancellationToken)
    {
        foreach (var w in _workloads)
        {
            if (w.IsJob && !w.PodsCreated && w.AdmittedAt is not null && snapshot.JobsByName.TryGetValue(w.Name, out var job) && job.Spec.Suspend != true)
            {
                CreateJobPods(w, job);
            }

            if (w.Stage == ChaosStage.Running && snapshot.Now - w.RunningSince >= w.RunTime)
            {
                await FinishAsync(w, snapshot, cancellationToken).ConfigureAwait(false);
            }
            else if (w.Stage == ChaosStage.Finishing && snapshot.Now - w.FinishingSince >= Termination)
            {
                await ReleaseAsync(w, snapshot, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var pod in snapshot.Pods.Where(p => ChaosSnapshot.IsBound(p) && p.Status?.Phase is null or "Pending" && p.Metadata.DeletionTimestamp is null))
        {
            await StartAsync(pod, snapshot.Now, cancellationToken).ConfigureAwait(false);
        }

        if (submit && Unfinished < _options.InFlight && _random.NextDouble() < 0.35)
        {
            Submit(snapshot.Now);
        }
    }

    /// <summary>A burst of 1-3 submissions at once, so the next decision has writes to make.</summary>
    public void SubmitBurst(DateTimeOffset now)
    {
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            Submit(now);
        }
    }

    private void Submit(DateTimeOffset now)
    {
        var id = _workloads.Count;
        var queue = QueueName(_random.Next(_options.Queues));
        var runTime = TimeSpan.FromMilliseconds(_random.Next(800, 4000));
        var urgent = _random.NextDouble() < 0.25;
        ChaosWorkload w;
        var kind = _random.NextDouble();
        if (kind < 0.2)
        {
            var share = _random.NextDouble() < 0.5;
            var gpus = share ? 1 : _random.Next(1, 3);
            w = new ChaosWorkload { Name = string.Create(CultureInfo.InvariantCulture, $"pod-{id:D5}"), IsJob = false, IsPod = true, Queue = queue, Pods = 1, MinMember = 1, GpusPerPod = gpus, Milli = share ? 500 : 1000, RunTime = runTime };
            var pod = Objects.Pod(w.Name, gpus, queue: queue, ns: Namespace);
            Prepare(pod, w);
            Urgent(pod.Spec, urgent);
            _server.Seed(pod);
        }
        else if (kind < 0.5)
        {
            var parallelism = _random.Next(1, 4);
            var gpus = 1 << _random.Next(3);
            w = new ChaosWorkload { Name = string.Create(CultureInfo.InvariantCulture, $"job-{id:D5}"), IsJob = true, Queue = queue, Pods = parallelism, MinMember = parallelism, GpusPerPod = gpus, Milli = 1000, RunTime = runTime };
            var job = Objects.Job(w.Name, parallelism, gpus, queue, ns: Namespace);
            job.Spec.Template.Spec.SchedulerName = KubernetesNames.SchedulerName;
            Urgent(job.Spec.Template.Spec, urgent);
            _server.Seed(job);
        }
        else
        {
            var members = _random.Next(2, 5);
            var share = _random.NextDouble() < 0.35;
            var gpus = share ? 1 : _random.Next(1, 3);
            var min = _random.NextDouble() < 0.25 ? members - 1 : members;
            w = new ChaosWorkload { Name = string.Create(CultureInfo.InvariantCulture, $"pg-{id:D5}"), IsJob = false, Queue = queue, Pods = members, MinMember = min, GpusPerPod = gpus, Milli = share ? 500 : 1000, RunTime = runTime };
            _server.Seed(Objects.Group(w.Name, min, queue, ns: Namespace));
            for (var m = 0; m < members; m++)
            {
                var pod = Objects.Pod(w.PodName(m), gpus, group: w.Name, ns: Namespace);
                Prepare(pod, w);
                Urgent(pod.Spec, urgent);
                _server.Seed(pod);
            }
        }

        _ = now;
        _workloads.Add(w);
    }

    private void CreateJobPods(ChaosWorkload w, V1Job job)
    {
        for (var i = 0; i < w.Pods; i++)
        {
            var pod = new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta
                {
                    Name = w.PodName(i),
                    NamespaceProperty = Namespace,
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid, Controller = true }],
                },
                Spec = job.Spec.Template.Spec,
            };
            Prepare(pod, w);
            _server.Seed(pod);
        }

        w.PodsCreated = true;
    }

    /// <summary>The priority class, and the priority the API server's Priority admission plugin would set from it.</summary>
    private static void Urgent(V1PodSpec spec, bool urgent)
    {
        if (urgent)
        {
            spec.PriorityClassName = UrgentClass;
            spec.Priority = UrgentPriority;
        }
    }

    private static void Prepare(V1Pod pod, ChaosWorkload w)
    {
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[WorkloadLabel] = w.Name;
        pod.Metadata.Finalizers = [TerminatingFinalizer];
        if (w.Milli < 1000)
        {
            pod.Metadata.Annotations ??= new Dictionary<string, string>();
            pod.Metadata.Annotations[KubernetesNames.GpuShareRequestAnnotation] = Text(w.Milli);
        }

        pod.Status = new V1PodStatus { Phase = "Pending" };
    }

    /// <summary>The kubelet: a bound pod starts and is ready.</summary>
    private async Task StartAsync(V1Pod pod, DateTimeOffset now, CancellationToken cancellationToken)
    {
        pod.Status ??= new V1PodStatus();
        pod.Status.Phase = "Running";
        var conditions = pod.Status.Conditions?.Where(c => c.Type != "Ready").ToList() ?? [];
        conditions.Add(new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = now.UtcDateTime });
        pod.Status.Conditions = conditions;
        await Tolerate(_client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The workload is done for Berth (a Job Complete, a PodGroup deleted); its pods are deleted and stay terminating, GPUs held, for a while.</summary>
    private async Task FinishAsync(ChaosWorkload w, ChaosSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (w.IsJob)
        {
            var job = snapshot.JobsByName[w.Name];
            job.Status ??= new V1JobStatus();
            job.Status.Conditions = [new V1JobCondition { Type = "Complete", Status = "True", LastTransitionTime = snapshot.Now.UtcDateTime }];
            job.Status.Succeeded = w.Pods;
            if (!await Tolerate(_client.BatchV1.ReplaceNamespacedJobStatusAsync(job, w.Name, Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false))
            {
                return; // a conflict: again next step
            }
        }
        else if (!w.IsPod)
        {
            await Tolerate(_client.CustomObjects.DeleteNamespacedCustomObjectAsync(KubernetesNames.Group, KubernetesNames.Version, Namespace, PodGroup.KubePluralName, w.Name, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        foreach (var pod in snapshot.PodsByWorkload[w.Name])
        {
            await Tolerate(_client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        w.Stage = ChaosStage.Finishing;
        w.FinishingSince = snapshot.Now;
    }

    /// <summary>Terminating pods finish: the finalizer goes and the API server removes them. Once none is left the workload is done.</summary>
    private async Task ReleaseAsync(ChaosWorkload w, ChaosSnapshot snapshot, CancellationToken cancellationToken)
    {
        var pods = snapshot.PodsByWorkload[w.Name].ToList();
        foreach (var pod in pods)
        {
            if (pod.Metadata.DeletionTimestamp is null)
            {
                await Tolerate(_client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
                continue;
            }

            pod.Metadata.Finalizers = null;
            await Tolerate(_client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        if (pods.Count == 0)
        {
            if (w.IsJob)
            {
                await Tolerate(_client.BatchV1.DeleteNamespacedJobAsync(w.Name, Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            w.Stage = ChaosStage.Done;
        }
    }

    /// <summary>A conflict (Berth wrote in between) or a missing object is normal: the next step reads again.</summary>
    private static async Task<bool> Tolerate(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
