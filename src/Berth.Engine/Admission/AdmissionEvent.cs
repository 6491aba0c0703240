namespace Berth.Engine.Admission;

/// <summary>
/// One line of the admission event log. <see cref="Reason"/> is a code (a <see cref="PendingReasonCode"/>
/// for Pending; Preempted, Reclaimed, FairShare, QueueDrained, GangNotReady, ... for Evicted and Failed);
/// <see cref="Detail"/> is for people.
/// </summary>
public sealed record AdmissionEvent(TimeSpan At, AdmissionEventKind Kind, string Workload, string Queue)
{
    public string? Reason { get; init; }

    public string? Flavor { get; init; }

    /// <summary>Admitted: pods placed. Evicted: pods released.</summary>
    public int Pods { get; init; }

    /// <summary>GPU milli held (Admitted) or released (Evicted).</summary>
    public long GpuMilli { get; init; }

    /// <summary>Evicted by preemption: the workload it made room for.</summary>
    public string? By { get; init; }

    public string Detail { get; init; } = string.Empty;

    public override string ToString()
    {
        var parts = new List<string> { $"{At.TotalSeconds:0}s", Kind.ToString(), Workload, Queue };
        if (Reason is not null)
        {
            parts.Add(Reason);
        }

        if (Flavor is not null)
        {
            parts.Add($"flavor={Flavor}");
        }

        if (Pods > 0)
        {
            parts.Add($"pods={Pods}");
        }

        if (By is not null)
        {
            parts.Add($"by={By}");
        }

        return string.Join(' ', parts);
    }
}
