using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Telemetry;

namespace Berth.Kubernetes.Operator;

/// <summary>How <c>berth operator</c> runs: how it reaches the API server, what it decides with, and how replicas share the work.</summary>
public sealed record OperatorSettings
{
    /// <summary>Path of a kubeconfig file; null: in-cluster config when running in a pod, else the default kubeconfig.</summary>
    public string? Kubeconfig { get; init; }

    public string? Context { get; init; }

    public ControllerOptions Controller { get; init; } = new();

    /// <summary>Where GPU activity per pod comes from (a Prometheus server scraping DCGM exporter); null: unknown, so no queue's idle-GPU policy ever fires.</summary>
    public TelemetryOptions? Telemetry { get; init; }

    /// <summary>What one GPU-hour costs per GPU model, for showback's costs (<c>GET /api/v1/usage</c>); null: GPU-hours without costs.</summary>
    public Runtime.Yield.PriceTable? Prices { get; init; }

    /// <summary>With leader election only the replica holding the lease decides; without it this replica decides at once.</summary>
    public bool LeaderElect { get; init; }

    /// <summary>Berth's namespace: its Lease, its admission-record key Secret, its ServiceAccount.</summary>
    public string LeaseNamespace { get; init; } = "berth-system";

    public string LeaseName { get; init; } = "berth-scheduler";

    /// <summary>
    /// This replica's name on the lease (default: the host name and the process id). Two replicas with one name would
    /// both take the Lease as theirs and both decide: the host name alone is not unique for two processes on one host
    /// (hostNetwork pods on one node, two operators run from a workstation, the chaos harness).
    /// </summary>
    public string Identity { get; init; } = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.MachineName}_{Environment.ProcessId}");

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>HTTPS port of <c>/metrics</c>, for callers the API server authenticates and authorizes (0: any free port).</summary>
    public int MetricsPort { get; init; } = 8443;

    /// <summary>Plain HTTP port of <c>/healthz</c> and <c>/readyz</c>, which say "ok" or not and nothing else (0: any free port).</summary>
    public int ProbePort { get; init; } = 8081;

    /// <summary>HTTPS port of the admission webhook (<c>/mutate</c>, <c>/validate</c>); null: no webhook (0: any free port).</summary>
    public int? WebhookPort { get; init; } = 9443;

    /// <summary>
    /// HTTPS port of the read-only dashboard (<c>/ui</c>) and its API (<c>/api/v1</c>, with the visibility API of pending
    /// workloads), for viewers the API server authenticates and authorizes; null: not served (0: any free port).
    /// </summary>
    public int? DashboardPort { get; init; }

    /// <summary>Address to listen on for metrics, probes, the webhook and the dashboard.</summary>
    public string ListenAddress { get; init; } = "0.0.0.0";

    /// <summary>A directory with <c>tls.crt</c> and <c>tls.key</c> (cert-manager's Secret); null: the operator makes a CA and patches the caBundle.</summary>
    public string? CertificateDirectory { get; init; }

    /// <summary>The Service in front of the webhook (its DNS names go into a generated certificate).</summary>
    public string ServiceName { get; init; } = "berth-webhook";

    /// <summary>The MutatingWebhookConfiguration and ValidatingWebhookConfiguration whose caBundle a generated CA goes into.</summary>
    public string WebhookConfigurationName { get; init; } = "berth";

    /// <summary>Berth's ServiceAccount (in <see cref="LeaseNamespace"/>): the one user the webhook lets write Berth's annotations.</summary>
    public string ServiceAccountName { get; init; } = "berth";
}
