using Berth.Kubernetes.Api;
using Berth.Model.Queueing;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// What <see cref="WorkloadTranslator"/> made of a Job, pod group or lone pod: a valid <see cref="Workload"/>,
/// or none with a <see cref="Reason"/> (one of <see cref="ConditionReasons"/>) and a <see cref="Message"/> naming
/// the field and the fix. Never an exception, so a bad object cannot break a watch loop.
/// </summary>
public sealed record WorkloadResult
{
    /// <summary>The workload, valid by <see cref="Workload.Validate"/>; null when the input cannot be admitted as it is.</summary>
    public Workload? Workload { get; init; }

    /// <summary><see cref="ConditionReasons.Valid"/> with a workload; otherwise why there is none.</summary>
    public string Reason { get; init; } = ConditionReasons.Valid;

    public string Message { get; init; } = string.Empty;

    /// <summary>What was ignored or assumed (an unreadable annotation, a creation time before the epoch, ...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public bool IsValid => Workload is not null;

    internal static WorkloadResult Valid(Workload workload, IReadOnlyList<string> warnings) =>
        new() { Workload = workload, Message = $"workload {workload.Id} is valid", Warnings = warnings };

    internal static WorkloadResult Invalid(string reason, string message, IReadOnlyList<string> warnings) =>
        new() { Reason = reason, Message = message, Warnings = warnings };
}
