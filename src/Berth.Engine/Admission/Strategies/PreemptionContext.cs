using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Strategies;

/// <summary>
/// What the preemption strategies read about one attempt: the preemptor, its flavor and request, and the quota
/// tree as the statement has it now. Built once per attempt by the preempt action; the strategies only read it.
/// </summary>
internal sealed class PreemptionContext(QuotaTree quotas, WorkloadState preemptor, int flavor, Resources request, QueuePreemption policy)
{
    public QuotaTree Quotas { get; } = quotas;

    public WorkloadState Preemptor { get; } = preemptor;

    public int Queue => Preemptor.QueueIndex;

    public int Flavor { get; } = flavor;

    public Resources Request { get; } = request;

    public QueuePreemption Policy { get; } = policy;

    /// <summary>The preemptor's queue stays within its nominal quota with the request added (as the tree is when the attempt starts).</summary>
    public bool WithinNominal { get; init; }

    /// <summary>The preemptor queue's share after admission (as the tree is when the attempt starts).</summary>
    public double ShareAfterAdmission { get; init; }

    /// <summary>True when queue <paramref name="q"/> (less <paramref name="removed"/>) still uses at least its nominal quota of every resource the request needs.</summary>
    public bool AtOrAboveNominal(int q, Resources removed)
    {
        for (var k = 0; k < Resources.KindCount; k++)
        {
            var kind = (ResourceKind)k;
            if (Request[kind] > 0 && Quotas.IsLimited(q, Flavor, kind) && Quotas.Usage(q, Flavor, kind) - removed[kind] < Quotas.Nominal(q, Flavor, kind))
            {
                return false;
            }
        }

        return true;
    }
}
