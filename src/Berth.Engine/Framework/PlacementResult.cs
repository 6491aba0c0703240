using Berth.Model;

namespace Berth.Engine.Framework;

/// <summary>
/// The outcome of one placement decision: an assignment, or the reason the pod fits nowhere.
/// When <see cref="Placed"/> is false, <see cref="Diagnosis"/> says which filters ruled out how many nodes.
/// </summary>
public sealed record PlacementResult
{
    public required Pod Pod { get; init; }

    public Assignment? Assignment { get; init; }

    public int NodeIndex { get; init; } = -1;

    /// <summary>Bit g set = GPU g of the node is used.</summary>
    public int GpuMask { get; init; }

    public int FeasibleNodes { get; init; }

    /// <summary>
    /// MIG GPUs this placement re-partitions (0 when idle configured instances serve it). A re-partition takes time:
    /// the caller delays the pod's start by it (see <see cref="Sharing.SharedGpus"/>).
    /// </summary>
    public int MigRepartitions { get; init; }

    public FilterDiagnosis? Diagnosis { get; init; }

    public bool Placed => Assignment is not null;

    public string Reason => Placed ? "Placed" : Diagnosis?.ToString() ?? "Unschedulable";
}
