using Berth.Engine.Admission.Strategies;

namespace Berth.Engine.Admission;

/// <summary>
/// The victims one preemption attempt has taken so far (in the order taken, each with the strategy that owns it)
/// and how many of them came from within the preemptor's queue, which keeps the preemptor within its nominal quota.
/// </summary>
internal sealed class PreemptionTrial(PreemptionContext context, int[] counts, TimeSpan now, List<(WorkloadState V, IPreemptionStrategy Strategy)> chosen)
{
    public PreemptionContext Context { get; } = context;

    public int[] Counts { get; } = counts;

    public TimeSpan Now { get; } = now;

    /// <summary>The victims taken, in order; a list the search reuses from one attempt to the next (a gang of hundreds of pods may take thousands).</summary>
    public List<(WorkloadState V, IPreemptionStrategy Strategy)> Chosen { get; } = chosen;

    /// <summary>Chosen victims whose strategy keeps the preemptor within its nominal quota.</summary>
    public int KeepingWithinNominal { get; set; }

    /// <summary>Pods of the gang in all.</summary>
    public int Total => Counts.Sum();
}
