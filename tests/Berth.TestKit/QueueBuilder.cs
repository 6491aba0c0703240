using Berth.Model.Queueing;

namespace Berth.TestKit;

/// <summary>Builds a queue: <c>Make.Queue("a").InCohort("org").Gpus(8, borrow: 4)</c>; GPU amounts are whole GPUs.</summary>
public sealed class QueueBuilder(string name)
{
    private readonly List<FlavorQuota> _flavors = [];
    private string? _cohort;
    private double _weight = 1;
    private QueueingStrategy _strategy = QueueingStrategy.BestEffortFifo;
    private QueuePreemption _preemption = QueuePreemption.None;
    private TimeSpan _minRuntime;
    private FlavorFungibility _fungibility = FlavorFungibility.Default;

    public QueueBuilder InCohort(string cohort) { _cohort = cohort; return this; }

    public QueueBuilder Gpus(double nominal, double? borrow = null, double? lend = null, string flavor = "default")
    {
        _flavors.Add(new FlavorQuota(flavor)
        {
            Gpu = new ResourceQuota((long)(nominal * 1000), borrow is { } b ? (long)(b * 1000) : null, lend is { } l ? (long)(l * 1000) : null),
        });
        return this;
    }

    public QueueBuilder Weight(double weight) { _weight = weight; return this; }

    public QueueBuilder Strict() { _strategy = QueueingStrategy.StrictFifo; return this; }

    public QueueBuilder Preempt(QueuePreemption preemption) { _preemption = preemption; return this; }

    public QueueBuilder MinRuntime(double seconds) { _minRuntime = TimeSpan.FromSeconds(seconds); return this; }

    public QueueBuilder Fungibility(FlavorFungibility fungibility) { _fungibility = fungibility; return this; }

    public Queue Build() => new(name)
    {
        Cohort = _cohort,
        Flavors = _flavors.ToArray(),
        Weight = _weight,
        Strategy = _strategy,
        Preemption = _preemption,
        MinRuntime = _minRuntime,
        Fungibility = _fungibility,
    };
}
