namespace Berth.Model.Queueing;

/// <summary>What a queue does about a running workload whose GPUs sit idle (see <see cref="IdleGpuPolicy"/>), least to most disruptive.</summary>
public enum IdleAction
{
    /// <summary>An event and a reason say it is idle; nothing else changes.</summary>
    Notify,

    /// <summary>As <see cref="Notify"/>, and it goes before every other candidate when preemption, reclaim or fair share needs victims.</summary>
    PreemptFirst,

    /// <summary>As <see cref="PreemptFirst"/>, and once idle past the grace period it is stopped and its GPUs freed (preemptible work only).</summary>
    Reclaim,
}
