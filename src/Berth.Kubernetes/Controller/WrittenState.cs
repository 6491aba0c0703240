using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// What this controller wrote that its cache has not shown yet: bindings (pod, node, GPU assignment) and Jobs (the
/// written object), laid over each snapshot until the watch catches up, as kube-scheduler's cache "assumes" a pod on
/// its node from the moment it sends the binding. Without it a plan made while the watch lags would see a just-bound
/// pod as pending and its GPUs (or GPU share) as free, and could give them to another pod.
/// <para>
/// A binding is forgotten once the cache shows the pod on a node, or the pod gone or replaced (another uid); a Job
/// once the cache holds its written resource version or a newer one, or no longer holds it. Thread-safe.
/// </para>
/// </summary>
public sealed class WrittenState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AssumedBinding> _bindings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Job> _jobs = new(StringComparer.Ordinal);

    /// <summary>Bindings and Jobs remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bindings.Count + _jobs.Count;
            }
        }
    }

    /// <summary>Remembers a binding the API server accepted for the pod with <paramref name="uid"/> (null when unknown).</summary>
    public void Bound(string ns, string pod, string? uid, string node, IReadOnlyDictionary<string, string> annotations)
    {
        lock (_gate)
        {
            _bindings[ns + "/" + pod] = new AssumedBinding(uid, node, annotations);
        }
    }

    /// <summary>Remembers a Job as written (with the resource version the write gave it).</summary>
    public void Written(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            _jobs[job.Metadata.NamespaceProperty + "/" + job.Metadata.Name] = job;
        }
    }

    /// <summary>Forgets everything (a replica that stops leading: the next leader starts from a list).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _bindings.Clear();
            _jobs.Clear();
        }
    }

    /// <summary>The snapshot with what the cache has not shown yet laid over it; forgets what it now shows.</summary>
    public ClusterSnapshot Apply(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            if (_bindings.Count == 0 && _jobs.Count == 0)
            {
                return snapshot;
            }

            var pods = snapshot.Pods;
            if (_bindings.Count > 0)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var list = new List<V1Pod>(pods.Count);
                foreach (var pod in pods)
                {
                    var key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
                    if (!_bindings.TryGetValue(key, out var binding))
                    {
                        list.Add(pod);
                        continue;
                    }

                    seen.Add(key);
                    if (!string.IsNullOrEmpty(pod.Spec?.NodeName) || (binding.Uid is not null && pod.Metadata.Uid != binding.Uid))
                    {
                        _bindings.Remove(key); // the cache shows the binding (or a new pod of that name): nothing to assume
                        list.Add(pod);
                        continue;
                    }

                    list.Add(AsBound(pod, binding));
                }

                foreach (var key in _bindings.Keys.Where(k => !seen.Contains(k)).ToArray())
                {
                    _bindings.Remove(key); // the pod is gone
                }

                pods = list;
            }

            var jobs = snapshot.Jobs;
            if (_jobs.Count > 0)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var list = new List<V1Job>(jobs.Count);
                foreach (var job in jobs)
                {
                    var key = job.Metadata.NamespaceProperty + "/" + job.Metadata.Name;
                    if (!_jobs.TryGetValue(key, out var written))
                    {
                        list.Add(job);
                        continue;
                    }

                    seen.Add(key);
                    if (job.Metadata.Uid != written.Metadata.Uid || !(Version(job) < Version(written)))
                    {
                        _jobs.Remove(key);
                        list.Add(job);
                        continue;
                    }

                    list.Add(written);
                }

                foreach (var key in _jobs.Keys.Where(k => !seen.Contains(k)).ToArray())
                {
                    _jobs.Remove(key);
                }

                jobs = list;
            }

            return snapshot with { Pods = pods, Jobs = jobs };
        }
    }

    private static long Version(V1Job job) => long.TryParse(job.Metadata.ResourceVersion, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : long.MaxValue;

    /// <summary>A copy of the pod as the API server made it on binding: on the node, with the binding's annotations.</summary>
    private static V1Pod AsBound(V1Pod pod, AssumedBinding binding)
    {
        var copy = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));
        copy.Spec.NodeName = binding.Node;
        copy.Metadata.Annotations ??= new Dictionary<string, string>();
        foreach (var (key, value) in binding.Annotations)
        {
            copy.Metadata.Annotations[key] = value;
        }

        return copy;
    }

    private sealed record AssumedBinding(string? Uid, string Node, IReadOnlyDictionary<string, string> Annotations);
}
