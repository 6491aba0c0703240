namespace Berth.Engine.Framework;

/// <summary>Why a pod fits nowhere: how many nodes each reason ruled out (the first failing filter per node).</summary>
public sealed record FilterDiagnosis(int TotalNodes, IReadOnlyList<ReasonCount> Reasons)
{
    public override string ToString() =>
        $"0/{TotalNodes} nodes are available: " + string.Join(", ", Reasons.Select(r => $"{r.Nodes} {r.Reason}")) + ".";
}
