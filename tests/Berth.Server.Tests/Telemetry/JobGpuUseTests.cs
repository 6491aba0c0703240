using Berth.Server.Telemetry;

namespace Berth.Server.Tests.Telemetry;

/// <summary>A job's activity from a reading: its GPUs' utilization, attributed through its processes.</summary>
public class JobGpuUseTests
{
    public sealed record Case(string Name, string[] Gpus, int[] Pids, SmiGpu[] Readings, SmiApp[] Apps, JobGpuUse? Expected)
    {
        public override string ToString() => Name;
    }

    private static readonly SmiGpu A = new("GPU-a", 0.8, 1000, 0);
    private static readonly SmiGpu B = new("GPU-b", 0.2, 1000, 0);

    public static TheoryData<Case> Cases => new()
    {
        new Case("a job with its process on each of its GPUs counts their utilization", ["GPU-a", "GPU-b"], [10], [A, B], [new SmiApp(10, "GPU-a", 500), new SmiApp(10, "GPU-b", 300)], new JobGpuUse(0.5, 1.0, 800)),
        new Case("a GPU the job holds but only another program uses counts 0 for the job", ["GPU-a", "GPU-b"], [10], [A, B], [new SmiApp(10, "GPU-a", 500), new SmiApp(99, "GPU-b", 300)], new JobGpuUse(0.4, 0.8, 500)),
        new Case("a GPU with no process listed (another PID namespace) counts its utilization", ["GPU-a"], [10], [A], [], new JobGpuUse(0.8, 0.8, 0)),
        new Case("a GPU missing from the reading makes the job unknown", ["GPU-a", "GPU-c"], [10], [A, B], [], null),
        new Case("a GPU whose utilization is not available makes the job unknown", ["GPU-a"], [10], [A with { Utilization = null }], [], null),
        new Case("a job without GPUs is unknown", [], [10], [A], [], null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Of_Reading_GivesTheJobsUse(Case c)
    {
        var use = JobGpuUse.Of(c.Gpus, c.Pids.ToHashSet(), new GpuSample(DateTimeOffset.UnixEpoch, c.Readings, c.Apps, []));
        Assert.Equal(c.Expected is null, use is null);
        if (c.Expected is { } expected)
        {
            Assert.Equal(expected.Activity, use!.Activity, 9);
            Assert.Equal(expected.BusyGpus, use.BusyGpus, 9);
            Assert.Equal(expected.MemoryMiB, use.MemoryMiB);
        }
    }

    [Fact]
    public void Descendants_FindsChildrenAndGrandchildren_NotSiblings()
    {
        var parents = new Dictionary<int, int> { [10] = 1, [11] = 10, [12] = 11, [20] = 1, [21] = 20 };
        Assert.Equal([10, 11, 12], ProcessTree.Descendants([10], parents).Order());
    }
}
