namespace Berth.Engine.Admission;

/// <summary>
/// Nodes held for a starving head (YuniKorn-style reservation, Slurm-style backfill): from
/// <see cref="Start"/>, when running workloads are expected to have freed them, <see cref="Holder"/>
/// runs on <see cref="Nodes"/> of flavor <see cref="Flavor"/>. Until then other workloads use those nodes
/// only if they are expected to end by <see cref="Start"/>.
/// </summary>
public sealed record Reservation(WorkloadState Holder, int Flavor, TimeSpan Start, IReadOnlyList<int> Nodes);
