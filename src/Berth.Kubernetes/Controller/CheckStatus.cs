using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// One admission check's state on a Job or PodGroup. Berth has no Workload object of its own, so a check's controller
/// (Berth's provisioning check, or an external one) writes the state where the workload is: the annotation
/// <c>admission-check.berth.dev/&lt;check&gt;</c> with the value <c>Pending</c>, <c>Ready</c>, <c>Retry</c> or
/// <c>Rejected</c>, optionally followed by <c>: message</c>.
/// </summary>
public sealed record CheckStatus(string Name, AdmissionCheckState State, string? Message)
{
    /// <summary>Prefix of the annotation that carries a check's state; the check's name follows.</summary>
    public const string AnnotationPrefix = "admission-check.berth.dev/";

    /// <summary>The annotation of check <paramref name="check"/>.</summary>
    public static string AnnotationOf(string check) => AnnotationPrefix + check;

    /// <summary>
    /// The states of <paramref name="checks"/> on an object: a check with no annotation is pending; a value that is no
    /// state is pending too, with a message that says what to write instead.
    /// </summary>
    public static IReadOnlyList<CheckStatus> Read(V1ObjectMeta? meta, IReadOnlyList<string> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var list = new List<CheckStatus>(checks.Count);
        foreach (var check in checks)
        {
            if (meta?.Annotations?.TryGetValue(AnnotationOf(check), out var text) != true || string.IsNullOrWhiteSpace(text))
            {
                list.Add(new CheckStatus(check, AdmissionCheckState.Pending, null));
                continue;
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var word = (colon < 0 ? text : text[..colon]).Trim();
            var message = colon < 0 ? null : text[(colon + 1)..].Trim();
            list.Add(Enum.TryParse<AdmissionCheckState>(word, ignoreCase: false, out var state) && Enum.IsDefined(state) && !int.TryParse(word, out _)
                ? new CheckStatus(check, state, message)
                : new CheckStatus(check, AdmissionCheckState.Pending, $"annotation {AnnotationOf(check)} says '{word}', which is no state: write Pending, Ready, Retry or Rejected (optionally followed by ': message')"));
        }

        return list;
    }

    /// <summary>The checks and their states, for messages: <c>provision (Pending), budget (Ready: approved)</c>.</summary>
    public static string Describe(IEnumerable<CheckStatus> checks) =>
        string.Join(", ", checks.Select(c => c.Message is { Length: > 0 } m ? $"{c.Name} ({c.State}: {m})" : $"{c.Name} ({c.State})"));

    /// <summary>The annotation value Berth writes when it asks for a check anew.</summary>
    public static string PendingValue => nameof(AdmissionCheckState.Pending);
}
