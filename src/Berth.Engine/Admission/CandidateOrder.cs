namespace Berth.Engine.Admission;

/// <summary>How the heads of different queues are ordered in an admission cycle.</summary>
public enum CandidateOrder
{
    /// <summary>Priority, then submit time, then id, across all queues.</summary>
    Fifo = 0,

    /// <summary>Lowest weighted dominant-resource share (after admission) first, then priority, submit time, id.</summary>
    FairShare = 1,
}
