using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>What an execution did: pods bound, Jobs written (with their new resource versions), evictions a disruption budget refused, writes that failed or waited.</summary>
public sealed class ExecutionResult
{
    public List<string> Bound { get; } = [];

    public List<V1Job> JobsWritten { get; } = [];

    /// <summary>PodGroups whose admission record was written: namespace/name and the resource version the write made.</summary>
    public List<(string Key, string ResourceVersion)> GroupsWritten { get; } = [];

    /// <summary>Job framework objects written (resumed, suspended, annotated): their kind, namespace/name and the resource version the write made.</summary>
    public List<(string Kind, string Key, string ResourceVersion)> FrameworksWritten { get; } = [];

    public int EvictionsRefused { get; set; }

    /// <summary>Bindings that failed for another reason than the pod being gone or bound (retried once their backoff passes).</summary>
    public int BindFailures { get; set; }

    /// <summary>Writes the API server failed or refused in this execution, one per action.</summary>
    public List<FailedWrite> Failures { get; } = [];

    /// <summary>Objects whose planned writes were skipped because an earlier failure holds them back (<see cref="ActionBackoff"/>).</summary>
    public HashSet<string> DeferredKeys { get; } = new(StringComparer.Ordinal);
}
