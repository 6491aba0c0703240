using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>The desired state of a <see cref="PodGroup"/>.</summary>
public sealed record PodGroupSpec
{
    /// <summary>The fewest members that are placed together (1 or more); members beyond it are placed when they fit.</summary>
    [JsonPropertyName("minMember")]
    public int? MinMember { get; init; }

    /// <summary>The Berth queue; absent: the group's or its pods' queue label.</summary>
    [JsonPropertyName("queue")]
    public string? Queue { get; init; }

    /// <summary>A raw priority value: it may only lower the priority <see cref="PriorityClassName"/> (or the pods' class) gives, never raise it.</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; init; }

    /// <summary>A PriorityClass whose value (and Berth preemptible annotation) the group takes.</summary>
    [JsonPropertyName("priorityClassName")]
    public string? PriorityClassName { get; init; }

    /// <summary>False: never evicted by preemption, reclaim or fair share (default true).</summary>
    [JsonPropertyName("preemptible")]
    public bool? Preemptible { get; init; }

    /// <summary>How long the group is expected to run (e.g. <c>2h</c>), for backfill and start-time estimates.</summary>
    [JsonPropertyName("expectedRunTime")]
    public string? ExpectedRunTime { get; init; }

    /// <summary>The group is stopped (failed) when it has run this long.</summary>
    [JsonPropertyName("maxRunTime")]
    public string? MaxRunTime { get; init; }

    /// <summary>How often the group saves its progress; an eviction loses the work since the last save.</summary>
    [JsonPropertyName("checkpointInterval")]
    public string? CheckpointInterval { get; init; }

    [JsonPropertyName("topology")]
    public TopologySpec? Topology { get; init; }
}
