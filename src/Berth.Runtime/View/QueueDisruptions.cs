namespace Berth.Runtime.View;

/// <summary>When workloads of queue <see cref="Queue"/> were evicted within its disruption window (kept by the driver between cycles).</summary>
public sealed record QueueDisruptions(string Queue, IReadOnlyList<DateTimeOffset> Times);
