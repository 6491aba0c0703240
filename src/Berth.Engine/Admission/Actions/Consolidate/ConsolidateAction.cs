using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Consolidate;

/// <summary>
/// Consolidation (KAI Scheduler): the free capacity is there but in pieces; move running workloads so that the
/// pieces join. Only for a workload that has waited past the starvation threshold, so that running work is not
/// moved for a short wait, and only in flavors where its quota fits now.
/// </summary>
internal sealed class ConsolidateAction : IAdmissionAction
{
    // Moves pods only for a flavor where the quota fits now.
    public bool MayAdmitOverQuota(Queue queue) => false;

    public string Name => AdmissionActions.Consolidate;

    // Moved workloads are evicted and admitted again in the middle of a cycle.
    public bool Evicts => true;

    public bool StarvationMatters => true;

    public bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt)
    {
        var s = session.Scheduler;
        var w = attempt.Workload;
        if (session.Now - w.PendingSince < s.Options.StarvationThreshold)
        {
            return false;
        }

        foreach (var f in s.FlavorsOf(w.QueueIndex))
        {
            if (s.CouldEverFit(w, f) && s.QuotaFits(w.QueueIndex, f, w.RequestOf(attempt.Full), w.Workload.Preemptible)
                && s.Consolidation.TryConsolidate(w, f, attempt.Full, session.Now))
            {
                return true;
            }
        }

        return false;
    }
}
