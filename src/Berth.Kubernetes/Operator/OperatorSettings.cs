using Berth.Kubernetes.Controller;

namespace Berth.Kubernetes.Operator;

/// <summary>How <c>berth operator</c> runs: how it reaches the API server, what it decides with, and how replicas share the work.</summary>
public sealed record OperatorSettings
{
    /// <summary>Path of a kubeconfig file; null: in-cluster config when running in a pod, else the default kubeconfig.</summary>
    public string? Kubeconfig { get; init; }

    public string? Context { get; init; }

    public ControllerOptions Controller { get; init; } = new();

    /// <summary>With leader election only the replica holding the lease decides; without it this replica decides at once.</summary>
    public bool LeaderElect { get; init; }

    public string LeaseNamespace { get; init; } = "berth-system";

    public string LeaseName { get; init; } = "berth-scheduler";

    /// <summary>This replica's name on the lease (default: the host name).</summary>
    public string Identity { get; init; } = Environment.MachineName;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Port of <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> (0: any free port).</summary>
    public int MetricsPort { get; init; } = 8080;

    /// <summary>Address to listen on for metrics and probes.</summary>
    public string ListenAddress { get; init; } = "0.0.0.0";
}
