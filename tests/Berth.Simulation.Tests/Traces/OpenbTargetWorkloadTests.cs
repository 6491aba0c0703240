using Berth.Engine.Fragmentation;
using Berth.Simulation.Traces;
using Berth.TestKit;

namespace Berth.Simulation.Tests.Traces;

/// <summary>The engine's typical workload of the real openb trace, read by the simulator's trace reader (the Engine's own tests read no files).</summary>
public sealed class OpenbTargetWorkloadTests
{
    [SharedDataFact]
    public void FromPods_DefaultOpenbTrace_Keeps35Of91Types()
    {
        var pods = OpenbTrace.ReadPods(SharedData.Openb("openb_pod_list_default.csv")).Select(p => p.Pod).ToArray();

        var workload = TargetWorkload.FromPods(pods);

        Assert.Equal(91, workload.SourceTypeCount);
        Assert.Equal(35, workload.Types.Count);
        Assert.Equal(1.0, workload.Types.Sum(t => t.Probability), 9);
        Assert.True(workload.Types.Sum(t => t.Count) >= 0.95 * pods.Length);
        Assert.True(workload.Types.Sum(t => t.Count) - workload.Types[^1].Count < 0.95 * pods.Length, "the prefix must be the shortest one covering 95%");
    }
}
