namespace Berth.Runtime.View;

/// <summary>What Berth wrote when it admitted a workload: the flavor, the time, and the place of every pod.</summary>
public sealed record AdmissionMemo(string Flavor, DateTimeOffset AdmittedAt, IReadOnlyList<PlannedPlacement> Pods);
