namespace Berth.Model.Queueing;

/// <summary>Whether a queue admits new work.</summary>
public enum StopPolicy
{
    None = 0,

    /// <summary>Admit nothing new; running workloads go on.</summary>
    Hold = 1,

    /// <summary>Admit nothing new and evict what runs.</summary>
    HoldAndDrain = 2,
}
