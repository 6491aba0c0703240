using Berth.Model;
using Berth.Model.Queueing;
using Berth.Server.Loop;

namespace Berth.Server.Demo;

/// <summary>
/// The cluster of <c>berth serve --demo</c> (and of a server started with no configuration): 6 simulated nodes of
/// 8 A100s and 2 of 8 H100s, two flavors, three team queues in one cohort that lend and borrow, and three priority
/// classes. Small enough to read in <c>berth nodes</c>, big enough to show queueing.
/// </summary>
public static class DemoCluster
{
    public static ServerCluster Create()
    {
        var nodes = new List<Node>();
        for (var i = 1; i <= 6; i++)
        {
            nodes.Add(new Node { Name = $"a100-{i}", GpuCount = 8, GpuModel = "A100", CpuMilli = 96_000, MemoryMiB = 1024 * 1024, Labels = new Dictionary<string, string> { ["pool"] = "a100" } });
        }

        for (var i = 1; i <= 2; i++)
        {
            nodes.Add(new Node { Name = $"h100-{i}", GpuCount = 8, GpuModel = "H100", CpuMilli = 104_000, MemoryMiB = 2048 * 1024, Labels = new Dictionary<string, string> { ["pool"] = "h100" } });
        }

        static FlavorQuota Gpus(string flavor, int gpus) => new(flavor) { Gpu = new ResourceQuota(gpus * 1000L) };
        var configuration = new QueueConfiguration
        {
            Flavors = [new Flavor("a100") { NodeLabels = new Dictionary<string, string> { ["pool"] = "a100" } }, new Flavor("h100") { NodeLabels = new Dictionary<string, string> { ["pool"] = "h100" } }],
            Cohorts = [new Cohort("lab")],
            Queues =
            [
                new Queue("team-a") { Cohort = "lab", Flavors = [Gpus("a100", 24), Gpus("h100", 8)] },
                new Queue("team-b") { Cohort = "lab", Flavors = [Gpus("a100", 16), Gpus("h100", 8)] },
                new Queue("research") { Cohort = "lab", Weight = 0.5, Flavors = [Gpus("a100", 8), Gpus("h100", 0)] },
            ],
            PriorityClasses = [new PriorityClass("low", 0), new PriorityClass("normal", 100), new PriorityClass("high", 1000)],
        };
        return new ServerCluster(nodes, configuration);
    }
}
