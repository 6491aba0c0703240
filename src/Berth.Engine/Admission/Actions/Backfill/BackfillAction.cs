using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Backfill;

/// <summary>
/// Reservations and backfill: at the start of each round the starving head (waited past the starvation
/// threshold for nodes) gets the nodes it needs reserved from its estimated start (<see cref="Reservation"/>);
/// others are then placed on those nodes only where they end before it. The admission itself is the allocate
/// action's: this one admits nothing on its own.
/// </summary>
internal sealed class BackfillAction : IAdmissionAction
{
    // Admits nothing on its own.
    public bool MayAdmitOverQuota(Queue queue) => false;

    public string Name => AdmissionActions.Backfill;

    public bool StarvationMatters => true;

    public void BeginRound(AdmissionSession session)
    {
        if (session.Scheduler.Options.Gangs)
        {
            session.Scheduler.UpdateReservation(session.Now);
        }
    }

    public bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt) => false;
}
