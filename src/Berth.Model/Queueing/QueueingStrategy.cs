namespace Berth.Model.Queueing;

/// <summary>How a queue's head blocks those behind it.</summary>
public enum QueueingStrategy
{
    /// <summary>Kueue BestEffortFIFO: a head that cannot be admitted lets the next workloads try.</summary>
    BestEffortFifo = 0,

    /// <summary>Kueue StrictFIFO: nothing behind the head is admitted before it.</summary>
    StrictFifo = 1,
}
