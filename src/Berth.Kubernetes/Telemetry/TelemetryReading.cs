namespace Berth.Kubernetes.Telemetry;

/// <summary>
/// What one query gave: the usable samples, how many were dropped and why, and when it failed, why. A failed read
/// has no samples; it is a value, not an exception, because Prometheus being down must never stop a decision.
/// </summary>
public sealed record TelemetryReading
{
    public IReadOnlyList<GpuActivitySample> Samples { get; init; } = [];

    /// <summary>GPU error signals of a health read (empty for an activity read).</summary>
    public IReadOnlyList<Berth.Runtime.Health.GpuErrorSignal> Signals { get; init; } = [];

    /// <summary>Dropped samples by reason (<c>no-pod-label</c>, <c>not-a-number</c>, <c>out-of-range</c>, <c>stale</c>).</summary>
    public IReadOnlyDictionary<string, int> Dropped { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Why the read failed (<c>unreachable</c>, <c>timeout</c>, <c>http-500</c>, <c>malformed</c>, <c>token</c>, ...); null when it worked.</summary>
    public string? Failure { get; init; }

    /// <summary>A sentence for the log when it failed.</summary>
    public string? FailureMessage { get; init; }

    public bool Ok => Failure is null;

    public static TelemetryReading Failed(string failure, string message) => new() { Failure = failure, FailureMessage = message };
}
