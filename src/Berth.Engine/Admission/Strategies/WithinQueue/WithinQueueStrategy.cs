using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Strategies.WithinQueue;

/// <summary>
/// Preemption inside the preemptor's own queue: a victim of lower priority, or (policy LowerOrNewerEqualPriority)
/// of equal priority submitted later. The preemptor must then end within its nominal quota.
/// </summary>
internal sealed class WithinQueueStrategy : IPreemptionStrategy
{
    public string Name => "within-queue";

    public string EvictionReason => "Preempted";

    public bool KeepsPreemptorWithinNominal => true;

    public bool Allows(PreemptionContext context, WorkloadState victim)
    {
        if (victim.QueueIndex != context.Queue)
        {
            return false;
        }

        var w = context.Preemptor;
        return context.Policy.WithinQueue switch
        {
            WithinQueuePreemption.LowerPriority => victim.Workload.Priority < w.Workload.Priority,
            WithinQueuePreemption.LowerOrNewerEqualPriority => victim.Workload.Priority < w.Workload.Priority
                || (victim.Workload.Priority == w.Workload.Priority && (victim.Workload.SubmitTime > w.Workload.SubmitTime
                    || (victim.Workload.SubmitTime == w.Workload.SubmitTime && victim.Sequence > w.Sequence))),
            _ => false,
        };
    }
}
