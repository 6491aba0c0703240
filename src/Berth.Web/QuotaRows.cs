namespace Berth.Web;

/// <summary>
/// A queue's quota rows as the views show them, from a decision's quota gauges, one rule for the server and the
/// operator: Borrowed, use above nominal; Lent, of its unused nominal quota what the rest of its
/// cohort borrows now (shared out in proportion when several lend); Share, the fair-share key without usage history:
/// borrowed over the cohort's nominal quota of that flavor and resource, divided by the weight, the largest over rows.
/// </summary>
public static class QuotaRows
{
    /// <param name="peers">The queues of its cohort, itself included (only itself without a cohort).</param>
    public static (IReadOnlyList<QuotaView> Rows, double Share) Of(string queue, double weight, IReadOnlySet<string> peers, IReadOnlyList<(string Queue, string Flavor, string Resource, double Used, double Nominal)> gauges)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(gauges);
        var rows = new List<QuotaView>();
        var share = 0.0;
        foreach (var g in gauges.Where(g => g.Queue == queue))
        {
            var cohort = gauges.Where(c => peers.Contains(c.Queue) && c.Flavor == g.Flavor && c.Resource == g.Resource).ToArray();
            var borrowed = Math.Max(0, g.Used - g.Nominal);
            var othersBorrow = cohort.Where(c => c.Queue != queue).Sum(c => Math.Max(0, c.Used - c.Nominal));
            var unused = cohort.Sum(c => Math.Max(0, c.Nominal - c.Used));
            var mine = Math.Max(0, g.Nominal - g.Used);
            var lent = unused > 0 ? Math.Min(mine, othersBorrow * mine / unused) : 0;
            var total = cohort.Sum(c => c.Nominal);
            share = Math.Max(share, total > 0 ? borrowed / total / weight : 0);
            rows.Add(new QuotaView(g.Flavor, g.Resource, g.Nominal, g.Used) { Borrowed = borrowed, Lent = lent });
        }

        return (rows, share);
    }
}
