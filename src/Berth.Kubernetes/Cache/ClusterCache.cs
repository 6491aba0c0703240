using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Cache;

/// <summary>
/// The informers of every kind Berth reads, and the snapshot a decision takes from them. Each informer lists
/// then watches on its own; <see cref="Changed"/> wakes the controller after any change.
/// </summary>
public sealed class ClusterCache
{
    private readonly TimeProvider _time;

    public ClusterCache(IKubernetes client, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(loggers);
        _time = time;
        var logger = loggers.CreateLogger("Berth.Cache");
        Nodes = new Informer<V1Node>(KubernetesSources.Nodes(client), Changed.Raise, logger, time);
        Pods = new Informer<V1Pod>(KubernetesSources.Pods(client), Changed.Raise, logger, time);
        Jobs = new Informer<V1Job>(KubernetesSources.Jobs(client), Changed.Raise, logger, time);
        PriorityClasses = new Informer<V1PriorityClass>(KubernetesSources.PriorityClasses(client), Changed.Raise, logger, time);
        Queues = new Informer<Api.Queue>(KubernetesSources.Custom<Api.Queue>(client, Api.Queue.KubeKind, Api.Queue.KubePluralName), Changed.Raise, logger, time);
        Cohorts = new Informer<Api.Cohort>(KubernetesSources.Custom<Api.Cohort>(client, Api.Cohort.KubeKind, Api.Cohort.KubePluralName), Changed.Raise, logger, time);
        Flavors = new Informer<Api.Flavor>(KubernetesSources.Custom<Api.Flavor>(client, Api.Flavor.KubeKind, Api.Flavor.KubePluralName), Changed.Raise, logger, time);
        PodGroups = new Informer<Api.PodGroup>(KubernetesSources.Custom<Api.PodGroup>(client, Api.PodGroup.KubeKind, Api.PodGroup.KubePluralName), Changed.Raise, logger, time);
        Namespaces = new Informer<V1Namespace>(KubernetesSources.Namespaces(client), Changed.Raise, logger, time);
        Frameworks = Berth.Kubernetes.Frameworks.FrameworkRegistry.All.Select(f => new Informer<Berth.Kubernetes.Frameworks.FrameworkObject>(KubernetesSources.Framework(client, f, time), Changed.Raise, logger, time)).ToArray();
        Dra = new Dra.DraInformers(client, Changed.Raise, logger, time);
    }

    /// <summary>Dynamic Resource Allocation: ResourceSlices, DeviceClasses, ResourceClaims and their templates.</summary>
    public Dra.DraInformers Dra { get; }

    /// <summary>One informer per job framework of <see cref="Berth.Kubernetes.Frameworks.FrameworkRegistry"/>, in its order.</summary>
    public IReadOnlyList<Informer<Berth.Kubernetes.Frameworks.FrameworkObject>> Frameworks { get; }

    public ChangeSignal Changed { get; } = new();

    public Informer<V1Node> Nodes { get; }

    public Informer<V1Pod> Pods { get; }

    public Informer<V1Job> Jobs { get; }

    public Informer<V1PriorityClass> PriorityClasses { get; }

    public Informer<Api.Queue> Queues { get; }

    public Informer<Api.Cohort> Cohorts { get; }

    public Informer<Api.Flavor> Flavors { get; }

    public Informer<Api.PodGroup> PodGroups { get; }

    /// <summary>Namespaces and their labels: which queues a workload may use (a Queue's namespaceSelector).</summary>
    public Informer<V1Namespace> Namespaces { get; }

    /// <summary>Completes when every informer has its first list.</summary>
    public Task Synced => Task.WhenAll(Nodes.Synced, Pods.Synced, Jobs.Synced, PriorityClasses.Synced, Queues.Synced, Cohorts.Synced, Flavors.Synced, PodGroups.Synced, Namespaces.Synced, Task.WhenAll(Frameworks.Select(f => f.Synced)), Dra.Synced);

    /// <summary>Runs every informer until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Nodes.RunAsync(cancellationToken), Pods.RunAsync(cancellationToken), Jobs.RunAsync(cancellationToken), PriorityClasses.RunAsync(cancellationToken),
        Queues.RunAsync(cancellationToken), Cohorts.RunAsync(cancellationToken), Flavors.RunAsync(cancellationToken), PodGroups.RunAsync(cancellationToken), Namespaces.RunAsync(cancellationToken),
        Task.WhenAll(Frameworks.Select(f => f.RunAsync(cancellationToken))), Dra.RunAsync(cancellationToken));

    /// <summary>Total list calls over all informers (one each at start; more after relists).</summary>
    public int Lists => Nodes.Lists + Pods.Lists + Jobs.Lists + PriorityClasses.Lists + Queues.Lists + Cohorts.Lists + Flavors.Lists + PodGroups.Lists + Namespaces.Lists + Frameworks.Sum(f => f.Lists) + Dra.Lists;

    public ClusterSnapshot Snapshot() => new()
    {
        Now = _time.GetUtcNow(),
        Nodes = Nodes.Snapshot(),
        Pods = Pods.Snapshot(),
        Jobs = Jobs.Snapshot(),
        PriorityClasses = PriorityClasses.Snapshot(),
        Queues = Queues.Snapshot(),
        Cohorts = Cohorts.Snapshot(),
        Flavors = Flavors.Snapshot(),
        PodGroups = PodGroups.Snapshot(),
        Namespaces = Namespaces.Snapshot(),
        Frameworks = Frameworks.SelectMany(f => f.Snapshot()).ToArray(),
        Dra = Dra.Snapshot(),
    };
}
