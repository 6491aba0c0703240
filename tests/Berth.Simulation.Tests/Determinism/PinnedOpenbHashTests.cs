using Berth.Simulation.Inflation;
using Berth.Simulation.Traces;
using Berth.TestKit;

namespace Berth.Simulation.Tests.Determinism;

public sealed class PinnedOpenbHashTests
{
    // Pinned from a run of this code. A change to this constant must be deliberate: it means placement
    // decisions on the real trace changed (a behaviour change), and the commit that changes it must say why.
    private const string FgdSeed42Hash = "063c98f29bb6e1b8";

    [SharedDataFact]
    public void Run_DefaultOpenbTraceFgdSeed42_MatchesPinnedEventLogHash()
    {
        var input = OpenbTrace.Read(SharedData.Openb("openb_node_list_gpu_node.csv"), SharedData.Openb("openb_pod_list_default.csv"));

        var result = InflationExperiment.Run(input, "fgd", 42);

        Assert.Equal(FgdSeed42Hash, result.EventLogHash);
        Assert.True(result.AllocAt100 > 90, $"FGD allocates {result.AllocAt100:0.00}% at 100% arrived; the paper reports about 95%");
        Assert.Equal(result.SubmittedPods, result.Curve.Sum(p => p.Events));
    }
}
