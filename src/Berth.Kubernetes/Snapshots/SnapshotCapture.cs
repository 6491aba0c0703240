using System.Net;
using Berth.Kubernetes.Cache;
using Berth.Kubernetes.Controller;
using k8s;
using k8s.Autorest;

namespace Berth.Kubernetes.Snapshots;

/// <summary>
/// Lists every kind Berth reads once, page by page, with the same list calls as the cache's informers, and
/// returns them as one <see cref="ClusterSnapshot"/> stamped with the time the listing finished. Nothing is
/// watched or written. Berth's custom resources missing from the cluster (CRDs not installed: 404) read as
/// empty lists with a warning; any other failure is thrown.
/// </summary>
public static class SnapshotCapture
{
    public static async Task<(ClusterSnapshot Snapshot, IReadOnlyList<string> Warnings)> CaptureAsync(IKubernetes client, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        var warnings = new List<string>();
        var nodes = await ListAll(KubernetesSources.Nodes(client), warnings, optional: false, cancellationToken).ConfigureAwait(false);
        var pods = await ListAll(KubernetesSources.Pods(client), warnings, optional: false, cancellationToken).ConfigureAwait(false);
        var jobs = await ListAll(KubernetesSources.Jobs(client), warnings, optional: false, cancellationToken).ConfigureAwait(false);
        var priorityClasses = await ListAll(KubernetesSources.PriorityClasses(client), warnings, optional: false, cancellationToken).ConfigureAwait(false);
        var queues = await ListAll(KubernetesSources.Custom<Api.Queue>(client, Api.Queue.KubeKind, Api.Queue.KubePluralName), warnings, optional: true, cancellationToken).ConfigureAwait(false);
        var cohorts = await ListAll(KubernetesSources.Custom<Api.Cohort>(client, Api.Cohort.KubeKind, Api.Cohort.KubePluralName), warnings, optional: true, cancellationToken).ConfigureAwait(false);
        var flavors = await ListAll(KubernetesSources.Custom<Api.Flavor>(client, Api.Flavor.KubeKind, Api.Flavor.KubePluralName), warnings, optional: true, cancellationToken).ConfigureAwait(false);
        var podGroups = await ListAll(KubernetesSources.Custom<Api.PodGroup>(client, Api.PodGroup.KubeKind, Api.PodGroup.KubePluralName), warnings, optional: true, cancellationToken).ConfigureAwait(false);
        var frameworks = new List<Frameworks.FrameworkObject>();
        foreach (var framework in Frameworks.FrameworkRegistry.All)
        {
            frameworks.AddRange(await ListAll(KubernetesSources.Framework(client, framework, time), warnings, optional: true, cancellationToken).ConfigureAwait(false));
        }

        var snapshot = new ClusterSnapshot
        {
            Now = time.GetUtcNow(),
            Nodes = nodes,
            Pods = pods,
            Jobs = jobs,
            PriorityClasses = priorityClasses,
            Queues = queues,
            Cohorts = cohorts,
            Flavors = flavors,
            PodGroups = podGroups,
            Frameworks = frameworks,
        };
        return (snapshot, warnings);
    }

    private static async Task<IReadOnlyList<T>> ListAll<T>(ResourceSource<T> source, List<string> warnings, bool optional, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? token = null;
        try
        {
            do
            {
                var page = await source.List(token, cancellationToken).ConfigureAwait(false);
                items.AddRange(page.Items);
                token = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
            }
            while (token is not null);
        }
        catch (HttpOperationException e) when (optional && e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            warnings.Add($"{source.Kind}: not served by the API server (Berth's CRDs not installed?); the snapshot has none");
            return [];
        }

        return items;
    }
}
