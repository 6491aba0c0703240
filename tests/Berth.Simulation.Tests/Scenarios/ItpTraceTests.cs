using System.Diagnostics;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Formats;

namespace Berth.Simulation.Tests.Scenarios;

public sealed class ItpTraceTests
{
    private static string ItpDir => Path.Combine(Berth.TestKit.SharedData.Root!, "traces", "itp");

    [Fact]
    public void Read_Jobs_BecomeGangWorkloadsSplitIntoPodsOfGpusPerPod()
    {
        using var dir = new TempDir();
        var path = dir.Write("cluster03.csv", "job_id,submission_time,duration,num_gpu\nj1,10,100,1\n\nj2,5,200,8\nj3,7,301,24\n");

        var w = ItpTrace.Read(path, new ItpSourceOptions { Queue = "tenant-{file}", CpuMilliPerGpu = 4000, MemoryMiBPerGpu = 1024, ExpectedRunTimeFactor = 1.5 });

        Assert.Equal(["cluster03/j1", "cluster03/j2", "cluster03/j3"], w.Select(x => x.Id));
        Assert.All(w, x => Assert.Equal("tenant-cluster03", x.Queue));
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(301), TimeSpan.FromSeconds(452)), (w[2].SubmitTime, w[2].Duration, w[2].ExpectedRunTime));
        Assert.Equal([(1, 1), (1, 8), (3, 8)], w.Select(x => (x.PodSets[0].Count, x.PodSets[0].Template.GpuCount)));
        Assert.Equal((32_000L, 8192L, 1000), (w[1].PodSets[0].Template.CpuMilli, w[1].PodSets[0].Template.MemoryMiB, w[1].PodSets[0].Template.GpuMilli));
        Assert.All(w, x => x.Validate());
    }

    [Fact]
    public void Read_Limit_KeepsTheFirstRowsOfTheFile()
    {
        using var dir = new TempDir();
        var path = dir.Write("c.csv", "job_id,submission_time,duration,num_gpu\na,1,1,1\nb,2,2,2\nc,3,3,4\n");

        Assert.Equal(["c/a", "c/b"], ItpTrace.Read(path, new ItpSourceOptions { Limit = 2 }).Select(w => w.Id));
    }

    [Theory]
    [InlineData("A job not divisible into pods is rejected", "j,0,10,12\n", "num_gpu", "not a multiple of gpusPerPod 8")]
    [InlineData("A job without GPUs is rejected", "j,0,10,0\n", "num_gpu", "asks for 0 GPUs")]
    [InlineData("A negative duration is rejected", "j,0,-10,1\n", "duration", "0 or more")]
    [InlineData("A fractional submit time is rejected", "j,1.5,10,1\n", "submission_time", "not a whole number")]
    [InlineData("An empty job id is rejected", ",0,10,1\n", "job_id", "job id is empty")]
    public void Read_BadRow_NamesFileLineAndColumn(string @case, string row, string column, string mentions)
    {
        using var dir = new TempDir();
        var path = dir.Write("c.csv", "job_id,submission_time,duration,num_gpu\nok,0,1,1\n" + row);

        var e = Assert.Throws<InputException>(() => ItpTrace.Read(path, new ItpSourceOptions()));

        Assert.True(e.Line == 3, @case);
        Assert.Equal((path, column), (e.File, e.Field));
        Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public void Read_RealTraces_LoadAllEightFiles()
    {
        // How fast this is, is measured by the bench scenario (`scenario itp`, docs/PERFORMANCE.md), not here.
        var files = Directory.GetFiles(ItpDir, "cluster*.csv").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(8, files.Length);
        var workloads = files.SelectMany(f => ItpTrace.Read(f, new ItpSourceOptions())).ToArray();

        Assert.Equal(63_944, workloads.Length);
        Assert.Equal(63_944, workloads.Select(w => w.Id).Distinct(StringComparer.Ordinal).Count());
        var first = workloads[0];
        Assert.Equal(("cluster01/965d744f-0445-c1a8-12af-97e4c536c66e", "cluster01"), (first.Id, first.Queue));
        Assert.Equal((TimeSpan.FromSeconds(1932025), TimeSpan.FromSeconds(2429)), (first.SubmitTime, first.Duration));
        Assert.Equal((8, 8), (first.PodSets[0].Count, first.PodSets[0].Template.GpuCount));
        Assert.Equal(workloads.Length, workloads.Count(w => w.PodSets[0].Template.GpuCount * w.PodSets[0].Count is >= 1 and <= 64));
    }
}
