namespace Berth.Web;

/// <summary>
/// Quota of a queue in one flavor for one resource (GPUs, CPU cores, memory bytes): nominal and used now;
/// <see cref="Borrowed"/>, what it uses above its nominal quota (lent to it by its cohort); <see cref="Lent"/>, what
/// of its nominal quota other queues of its cohort use now (its unused nominal quota, up to what they borrow).
/// </summary>
public sealed record QuotaView(string Flavor, string Resource, double Nominal, double Used)
{
    public double Borrowed { get; init; }

    public double Lent { get; init; }
}
