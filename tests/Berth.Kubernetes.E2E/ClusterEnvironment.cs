namespace Berth.Kubernetes.E2E;

/// <summary>
/// Whether a cluster is there to test against, and the knobs of the suite. The suite runs only when
/// <c>KUBECONFIG</c> is set; it then expects a cluster prepared by <c>deploy/kind/setup.sh</c> and refuses any other.
/// </summary>
internal static class ClusterEnvironment
{
    public const string SkipMessage = "KUBECONFIG is not set; see docs/KUBERNETES.md#end-to-end-tests";

    /// <summary>The label <c>deploy/kind/setup.sh</c> puts on the nodes whose GPUs it fakes; the suite runs only where it finds such nodes.</summary>
    public const string FakeGpuLabel = "berth.dev/e2e";

    public const string FakeGpuLabelValue = "fake-gpu";

    /// <summary>Label on every object the suite creates, with the run's id as value, so leftovers can be found and deleted.</summary>
    public const string RunLabel = "berth.dev/e2e-run";

    /// <summary>GPU products <c>setup.sh</c> gives the fake nodes (GPU Feature Discovery's label values).</summary>
    public const string A100 = "NVIDIA-A100-SXM4-80GB";

    public const string H100 = "NVIDIA-H100-80GB-HBM3";

    /// <summary>The first path of <c>KUBECONFIG</c>; null when unset.</summary>
    public static string? Kubeconfig => FirstPath(Environment.GetEnvironmentVariable("KUBECONFIG"));

    /// <summary>Why the tests are skipped, or null when they run.</summary>
    public static string? SkipReason => SkipReasonFor(Environment.GetEnvironmentVariable("KUBECONFIG"));

    /// <summary>The skip reason for a value of <c>KUBECONFIG</c>: unset, empty or only separators skip.</summary>
    public static string? SkipReasonFor(string? kubeconfigVariable) => FirstPath(kubeconfigVariable) is null ? SkipMessage : null;

    /// <summary>The first path of a <c>KUBECONFIG</c>-style list (kubectl merges them; the suite reads the first).</summary>
    public static string? FirstPath(string? kubeconfigVariable) =>
        kubeconfigVariable?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();

    /// <summary>The kubeconfig context (<c>BERTH_E2E_CONTEXT</c>); null: the current one.</summary>
    public static string? Context => Environment.GetEnvironmentVariable("BERTH_E2E_CONTEXT") is { Length: > 0 } c ? c : null;

    /// <summary>
    /// <c>serviceaccount</c> (default): the in-process operator talks to the API server as the ServiceAccount
    /// <c>berth-system/berth</c> of deploy/rbac.yaml, so the suite also proves the RBAC rules are enough;
    /// <c>kubeconfig</c>: as the kubeconfig's user.
    /// </summary>
    public static bool OperatorAsServiceAccount =>
        !string.Equals(Environment.GetEnvironmentVariable("BERTH_E2E_OPERATOR_AS"), "kubeconfig", StringComparison.OrdinalIgnoreCase);

    /// <summary>The container image of the test pods (<c>BERTH_E2E_IMAGE</c>); the pause image kind nodes already hold.</summary>
    public static string Image => Environment.GetEnvironmentVariable("BERTH_E2E_IMAGE") is { Length: > 0 } i ? i : "registry.k8s.io/pause:3.10";

    /// <summary>A file the operator's log lines are appended to as well (<c>BERTH_E2E_OPERATOR_LOG</c>); null: kept in memory only.</summary>
    public static string? OperatorLogFile => Environment.GetEnvironmentVariable("BERTH_E2E_OPERATOR_LOG") is { Length: > 0 } f ? f : null;

    /// <summary>How long a test waits for the cluster to reach what it expects (<c>BERTH_E2E_TIMEOUT</c>, seconds; default 90).</summary>
    public static TimeSpan Timeout =>
        int.TryParse(Environment.GetEnvironmentVariable("BERTH_E2E_TIMEOUT"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(90);
}
