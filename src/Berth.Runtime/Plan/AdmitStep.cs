using Berth.Model.Queueing;
using Berth.Runtime.View;

namespace Berth.Runtime.Plan;

/// <summary>Admit a workload in <see cref="Flavor"/>: write <see cref="Memo"/> (where each pod goes) and start it.</summary>
public sealed record AdmitStep(string Workload, Flavor Flavor, AdmissionMemo Memo) : PlanStep(Workload)
{
    /// <summary>Pods admitted: fewer than the workload's count when an elastic workload runs smaller.</summary>
    public int Pods { get; init; }

    /// <summary>Milli-GPUs the admission holds (charged to its queue).</summary>
    public long GpuMilli { get; init; }
}
