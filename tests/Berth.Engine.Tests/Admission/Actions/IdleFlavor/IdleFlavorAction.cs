using Berth.Engine.Admission;
using Berth.Engine.Admission.Actions;

namespace Berth.Engine.Tests.Admission.Actions.IdleFlavor;

/// <summary>
/// An action written the way docs/ARCHITECTURE.md says a new one is added, to show that a folder and a registry line
/// are all it takes: a workload that its queue's quota holds back may still run on a flavor that no other queue uses
/// now, since GPUs left idle serve no one (KAI's over-quota allocation, in its simplest form). It asks for no quota
/// check, so it runs after allocate in a profile's list; placement is still whole-gang, through the session's statement.
/// Test-only: no built-in profile names it, so no profile's behaviour changes.
/// </summary>
internal sealed class IdleFlavorAction : IAdmissionAction
{
    public string Name => "idle-flavor";

    public bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt)
    {
        var s = session.Scheduler;
        var w = attempt.Workload;
        foreach (var f in s.FlavorsOf(w.QueueIndex))
        {
            if (s.Store.AdmittedIn(f).All(a => a.QueueIndex == w.QueueIndex) && s.CouldEverFit(w, f) && s.TryPlaceAndAdmit(w, f, attempt.Full, session.Now, out _))
            {
                return true;
            }
        }

        return false;
    }
}
