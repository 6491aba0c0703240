using System.Net;
using System.Text.Json;
using Berth.Kubernetes.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.E2E;

/// <summary>
/// One test's corner of the cluster: its own namespace and its own (cluster-scoped) flavors and queues, named
/// after the test and the run and labelled with the run's id; all deleted when the test ends, pass or fail.
/// </summary>
internal sealed class ClusterScenario : IAsyncDisposable
{
    private readonly ClusterFixture _cluster;
    private readonly List<(string Plural, string Name)> _clusterObjects = [];

    private ClusterScenario(ClusterFixture cluster, string prefix)
    {
        _cluster = cluster;
        Prefix = prefix;
    }

    public IKubernetes Client => _cluster.Admin;

    /// <summary>The test's namespace; also the prefix of its cluster-scoped objects' names.</summary>
    public string Prefix { get; }

    public string Namespace => Prefix;

    public static async Task<ClusterScenario> StartAsync(ClusterFixture cluster, string name)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var scenario = new ClusterScenario(cluster, $"e2e-{name}-{cluster.RunId}");
        await cluster.Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = scenario.Meta(scenario.Namespace) });
        return scenario;
    }

    /// <summary>Metadata with the run label (<paramref name="ns"/> for namespaced objects).</summary>
    public V1ObjectMeta Meta(string name, string? ns = null) => new()
    {
        Name = name,
        NamespaceProperty = ns,
        Labels = new Dictionary<string, string> { [ClusterEnvironment.RunLabel] = _cluster.RunId },
    };

    /// <summary>A cluster-scoped name of this test: <c>{namespace}-{suffix}</c>.</summary>
    public string Name(string suffix) => $"{Prefix}-{suffix}";

    public Task<Flavor> CreateAsync(Flavor flavor) => CreateClusterAsync(flavor, Flavor.KubePluralName);

    public Task<Queue> CreateAsync(Queue queue) => CreateClusterAsync(queue, Queue.KubePluralName);

    public async Task<PodGroup> CreateAsync(PodGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var created = await Client.CustomObjects.CreateNamespacedCustomObjectAsync(group, KubernetesNames.Group, KubernetesNames.Version, Namespace, PodGroup.KubePluralName);
        return Convert<PodGroup>(created);
    }

    public Task<V1Pod> CreateAsync(V1Pod pod) => Client.CoreV1.CreateNamespacedPodAsync(pod, Namespace);

    public Task<V1Job> CreateAsync(V1Job job) => Client.BatchV1.CreateNamespacedJobAsync(job, Namespace);

    public async Task<Queue?> ReadQueueAsync(string name) => await ReadCustomAsync<Queue>(() => Client.CustomObjects.GetClusterCustomObjectAsync(KubernetesNames.Group, KubernetesNames.Version, Queue.KubePluralName, name));

    public async Task<PodGroup?> ReadPodGroupAsync(string name) => await ReadCustomAsync<PodGroup>(() => Client.CustomObjects.GetNamespacedCustomObjectAsync(KubernetesNames.Group, KubernetesNames.Version, Namespace, PodGroup.KubePluralName, name));

    public Task<V1Job> ReadJobAsync(string name) => Client.BatchV1.ReadNamespacedJobAsync(name, Namespace);

    public async Task<IList<V1Pod>> PodsAsync(string? labelSelector = null) => (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: labelSelector)).Items;

    public Task<V1Node> ReadNodeAsync(string name) => Client.CoreV1.ReadNodeAsync(name);

    /// <summary>Deletes a Job and (in the background) its pods, as <c>kubectl delete job</c> does.</summary>
    public Task DeleteJobAsync(string name) => Client.BatchV1.DeleteNamespacedJobAsync(name, Namespace, propagationPolicy: "Background");

    /// <summary>
    /// Polls <paramref name="probe"/> until it gives a value (not null), or fails after the suite's timeout with
    /// <paramref name="what"/>, the last value seen by <paramref name="describe"/> and the operator's last log lines.
    /// </summary>
    public async Task<T> EventuallyAsync<T>(string what, Func<Task<T?>> probe, Func<string>? describe = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + ClusterEnvironment.Timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"after {ClusterEnvironment.Timeout.TotalSeconds:0} s: {what}\n{describe?.Invoke()}\n--- operator log (last lines) ---\n{_cluster.LogTail()}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>Deletes what the test made: its namespace (with its pods, Jobs and pod groups) and its queues and flavors.</summary>
    public async ValueTask DisposeAsync()
    {
        await IgnoreMissing(Client.CoreV1.DeleteNamespaceAsync(Namespace, propagationPolicy: "Background"));
        foreach (var (plural, name) in Enumerable.Reverse(_clusterObjects))
        {
            await IgnoreMissing(Client.CustomObjects.DeleteClusterCustomObjectAsync(KubernetesNames.Group, KubernetesNames.Version, plural, name));
        }
    }

    private async Task<T> CreateClusterAsync<T>(T obj, string plural)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var created = await Client.CustomObjects.CreateClusterCustomObjectAsync(obj, KubernetesNames.Group, KubernetesNames.Version, plural);
        _clusterObjects.Add((plural, obj.Metadata.Name));
        return Convert<T>(created);
    }

    private static async Task<T?> ReadCustomAsync<T>(Func<Task<object>> read)
        where T : class
    {
        try
        {
            return Convert<T>(await read());
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static T Convert<T>(object body) =>
        KubernetesJson.Deserialize<T>(body is JsonElement element ? element.GetRawText() : KubernetesJson.Serialize(body));

    private static async Task IgnoreMissing(Task call)
    {
        try
        {
            await call;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }
}
