using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.TestKit;
using CsCheck;

namespace Berth.Engine.Tests.Fragmentation;

public sealed class FragmentMemoPropertyTests
{
    private static readonly int[] Shares = [0, 100, 250, 500, 700, 1000];

    private static readonly Gen<WorkloadType> GenType =
        Gen.Select(Gen.Int[0, 8_000], Gen.OneOf(Shares), Gen.OneOf(1, 2, 4), Gen.OneOf<string[]>([], ["A100"], ["T4"], ["A100", "T4"]), Gen.Int[1, 10],
            (cpu, share, count, models, weight) => new WorkloadType(cpu, share, share == 0 ? 0 : share < 1000 ? 1 : count, models, weight));

    private static readonly Gen<int[]> GenFree = Gen.OneOf(0, 50, 100, 250, 400, 500, 600, 750, 1000).Array[1, 8];

    [Fact]
    public void NodeFragment_RandomStates_AlwaysEqualsUnmemoisedCompute()
    {
        var cluster = new ClusterState([Make.Node("a").Gpus(8, "A100").Build(), Make.Node("t").Gpus(8, "T4").Build()]);
        Gen.Select(GenType.Array[1, 5], Gen.Select(Gen.Int[0, 1], GenFree, Gen.Int[0, 9_000]).Array[1, 30])
            .Sample((types, states) =>
            {
                var sum = types.Sum(t => t.Probability);
                var workload = new TargetWorkload(types.Select(t => t with { Probability = t.Probability / sum }).ToArray());
                var calculator = new FragmentCalculator(cluster, workload);
                foreach (var (model, free, cpu) in states)
                {
                    var memoised = calculator.NodeFragment(model, free, cpu);
                    var direct = calculator.Compute(model, free, cpu);
                    if (Math.Abs(memoised - direct) > 1e-6)
                    {
                        return false;
                    }

                    if (direct < -1e-9 || direct > free.Sum() + 1e-6)
                    {
                        return false; // F is a share of idle GPU
                    }
                }

                return true;
            }, iter: 200);
    }
}
