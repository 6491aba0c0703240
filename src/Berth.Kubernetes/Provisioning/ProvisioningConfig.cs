using System.Globalization;
using k8s.Models;

namespace Berth.Kubernetes.Provisioning;

/// <summary>
/// How Berth's provisioning admission check asks the cluster autoscaler for capacity (Kueue's
/// ProvisioningRequestConfig, kept to what Berth uses). It lives in a ConfigMap in Berth's namespace named after the
/// check a queue lists in <c>spec.admissionChecks</c> and labelled <see cref="CheckLabel"/>, so no CRD is needed for
/// a handful of keys; a queue's check with no such ConfigMap stays an external check answered through annotations.
/// </summary>
public sealed record ProvisioningConfig
{
    /// <summary>Label (value <c>provisioning-request</c>) that hands a ConfigMap's check to Berth's provisioning controller.</summary>
    public const string CheckLabel = "berth.dev/admission-check-controller";

    /// <summary>The value of <see cref="CheckLabel"/>: Berth's controller name for the check (Kueue's is <c>kueue.x-k8s.io/provisioning-request</c>).</summary>
    public const string ControllerName = "provisioning-request";

    private const string ParameterPrefix = "parameters.";

    /// <summary>The check's name (the ConfigMap's).</summary>
    public required string Check { get; init; }

    /// <summary><c>spec.provisioningClassName</c> of the requests, e.g. <c>check-capacity.autoscaling.x-k8s.io</c>.</summary>
    public required string ProvisioningClassName { get; init; }

    /// <summary><c>spec.parameters</c> of the requests (from data keys <c>parameters.&lt;name&gt;</c>).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How many requests may fail before the workload is rejected (Kueue's retryStrategy.backoffLimitCount).</summary>
    public int BackoffLimitCount { get; init; } = 3;

    /// <summary>Wait before the second attempt; doubling after each failure.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>The wait after the <paramref name="failures"/>-th failed request.</summary>
    public TimeSpan BackoffAfter(int failures)
    {
        var seconds = BackoffBase.TotalSeconds * Math.Pow(2, Math.Max(0, failures - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, BackoffMax.TotalSeconds));
    }

    /// <summary>Reads a ConfigMap; on bad input the error names the data key and the fix, and no config comes back.</summary>
    public static (ProvisioningConfig? Config, string? Error) Parse(V1ConfigMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var where = $"ConfigMap {map.Metadata?.NamespaceProperty}/{map.Metadata?.Name}";
        var data = map.Data ?? new Dictionary<string, string>();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        int? limit = null;
        int? baseSeconds = null;
        int? maxSeconds = null;
        foreach (var (key, value) in data)
        {
            switch (key)
            {
                case "provisioningClassName":
                    break;
                case "backoffLimitCount":
                    if ((limit = Whole(value)) is null)
                    {
                        return (null, $"{where}: data key backoffLimitCount is '{value}'; give a whole number of attempts, 0 or more");
                    }

                    break;
                case "backoffBaseSeconds":
                    if ((baseSeconds = Whole(value)) is null or 0)
                    {
                        return (null, $"{where}: data key backoffBaseSeconds is '{value}'; give a whole number of seconds, 1 or more");
                    }

                    break;
                case "backoffMaxSeconds":
                    if ((maxSeconds = Whole(value)) is null or 0)
                    {
                        return (null, $"{where}: data key backoffMaxSeconds is '{value}'; give a whole number of seconds, 1 or more");
                    }

                    break;
                default:
                    if (key.StartsWith(ParameterPrefix, StringComparison.Ordinal) && key.Length > ParameterPrefix.Length)
                    {
                        parameters[key[ParameterPrefix.Length..]] = value;
                        break;
                    }

                    return (null, $"{where}: data key '{key}' is not known; use provisioningClassName, parameters.<name>, backoffLimitCount, backoffBaseSeconds or backoffMaxSeconds");
            }
        }

        if (!data.TryGetValue("provisioningClassName", out var className) || string.IsNullOrWhiteSpace(className))
        {
            return (null, $"{where}: data key provisioningClassName is missing; set it to the autoscaler's class, e.g. check-capacity.autoscaling.x-k8s.io or best-effort-atomic-scale-up.autoscaling.x-k8s.io");
        }

        var config = new ProvisioningConfig { Check = map.Metadata!.Name, ProvisioningClassName = className.Trim(), Parameters = parameters };
        return (config with
        {
            BackoffLimitCount = limit ?? config.BackoffLimitCount,
            BackoffBase = baseSeconds is { } b ? TimeSpan.FromSeconds(b) : config.BackoffBase,
            BackoffMax = maxSeconds is { } m ? TimeSpan.FromSeconds(m) : config.BackoffMax,
        }, null);
    }

    private static int? Whole(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
