using Berth.Engine.Admission;
using Berth.Engine.Framework;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Framework;

/// <summary>A multi-GPU pod gets GPUs inside one NVLink island when one has room; only the indices change.</summary>
public class NvlinkIslandsTests
{
    private const int Whole = Limits.GpuMilliPerGpu;

    [Fact]
    public void Choose_RandomFreeVectors_KeepsCountAndFreedomAndStaysInOneIslandWheneverOneHasRoom()
    {
        var random = new Random(5);
        var checkedCases = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var gpus = new[] { 4, 8, 16 }[random.Next(3)];
            var sizes = new[] { 1, 2, 4, 8 }.Where(k => k <= gpus && gpus % k == 0).ToArray();
            var size = sizes[random.Next(sizes.Length)];
            var free = Enumerable.Range(0, gpus).Select(_ => random.Next(3) == 0 ? random.Next(0, Whole) : Whole).ToArray();
            var count = random.Next(2, gpus + 1);
            var lowest = Berth.Engine.Plugins.TightestFit.TightestFitGpuSelector.LowestFullyFree(free, count);
            if (lowest == 0)
            {
                continue; // no room on the node: the selector never gets here
            }

            var chosen = NvlinkIslands.Choose(free, count, size, lowest);
            checkedCases++;
            Assert.Equal(count, System.Numerics.BitOperations.PopCount((uint)chosen));
            for (var g = 0; g < gpus; g++)
            {
                Assert.True((chosen & (1 << g)) == 0 || free[g] == Whole, $"round {round}: GPU {g} is not fully free");
            }

            var someIslandHolds = Enumerable.Range(0, gpus / size).Any(i => free.Skip(i * size).Take(size).Count(f => f == Whole) >= count);
            Assert.Equal(someIslandHolds || NvlinkIslands.InOneIsland(lowest, size), NvlinkIslands.InOneIsland(chosen, size));
            if (!someIslandHolds)
            {
                Assert.Equal(lowest, chosen);
            }
        }

        Assert.True(checkedCases > 10_000, $"only {checkedCases} cases had room");
    }

    [Theory]
    [InlineData(null, new[] { 3, 5 })]
    [InlineData(4, new[] { 5, 6 })]
    public void Place_TwoGpuPod_TakesOneIslandWhenTheNodeDeclaresThem(int? islandSize, int[] expected)
    {
        var node = Make.Node("n").Cpu(64_000).Memory(512 * 1024).Gpus(8).Build() with { NvlinkIslandSize = islandSize };
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(8).Build()] };
        var s = new AdmissionScheduler([node], config, new AdmissionOptions { PlacementPolicy = "fgd" }, new ManualTime());
        var one = new Pod { Name = "other", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 1, GpuMilli = Whole };
        foreach (var gpu in new[] { 0, 1, 2, 4 })
        {
            Assert.True(s.Withhold("n", one, 1 << gpu));
        }

        s.Submit(Make.Workload("w").In("q").Pods(1, gpus: 2).Build());
        s.Schedule();
        var mask = s.Find("w")!.Pods.Single().GpuMask;
        Assert.Equal(expected, Enumerable.Range(0, 8).Where(g => (mask & (1 << g)) != 0).ToArray());
    }
}
