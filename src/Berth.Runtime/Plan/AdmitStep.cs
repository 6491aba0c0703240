using Berth.Model.Queueing;
using Berth.Runtime.View;

namespace Berth.Runtime.Plan;

/// <summary>Admit a workload in <see cref="Flavor"/>: write <see cref="Memo"/> (where each pod goes) and start it.</summary>
public sealed record AdmitStep(string Workload, Flavor Flavor, AdmissionMemo Memo) : PlanStep(Workload);
