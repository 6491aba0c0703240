namespace Berth.Engine.Admission;

// Idle GPUs under a queue's idle-GPU policy; the rules are in IdleGpus.
public sealed partial class AdmissionScheduler
{
    private bool _idlePolicies;

    /// <summary>How busy the GPUs of workload <paramref name="id"/> are now, 0 to 1 (telemetry); outside that range it is refused and changes nothing.</summary>
    public void ObserveActivity(string id, double activity)
    {
        if (IdleGpus.Observe(Store.Find(id), activity))
        {
            _admittedVersion++; // the victim lists' order may change; what fits does not, so heads are not retried
        }
    }

    private void ApplyIdlePolicies(TimeSpan now)
    {
        foreach (var w in IdleGpus.Scan(Store.Admitted, _queues, now, Store.Events))
        {
            End(w.Id, WorkloadPhase.Failed, IdleGpus.ReclaimedReason);
        }
    }
}
