using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>A small cluster of identical GPU nodes in one flavor "default", and a scheduler over it.</summary>
internal sealed class AdmissionFixture
{
    public AdmissionFixture(int nodes, int gpusPerNode, IEnumerable<Queue> queues, AdmissionOptions? options = null, IEnumerable<Cohort>? cohorts = null, TimeSpan? usageHalfLife = null)
    {
        Nodes = Enumerable.Range(0, nodes).Select(i => Make.Node($"n{i}").Cpu(64_000).Memory(512 * 1024).Gpus(gpusPerNode).Build()).ToArray();
        Config = new QueueConfiguration
        {
            Flavors = [new Flavor("default")],
            Cohorts = (cohorts ?? []).ToArray(),
            Queues = queues.ToArray(),
            UsageHalfLife = usageHalfLife,
        };
        Scheduler = new AdmissionScheduler(Nodes, Config, options ?? new AdmissionOptions { PlacementPolicy = "bestfit" }, Time);
    }

    public ManualTime Time { get; } = new();

    public IReadOnlyList<Node> Nodes { get; }

    public QueueConfiguration Config { get; }

    public AdmissionScheduler Scheduler { get; }

    public WorkloadPhase Phase(string id) => Scheduler.Find(id)!.Phase;

    public PendingReasonCode Reason(string id) => Scheduler.Find(id)!.Reason.Code;

    public void Submit(params WorkloadBuilder[] workloads)
    {
        foreach (var w in workloads)
        {
            Scheduler.Submit(w.Build());
        }
    }

    public static Cohort Cohort(string name) => new(name);
}
