using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Generation;

namespace Berth.Simulation.Tests.Generation;

/// <summary>The diurnal serving generator, run small (the full size is <c>scenario serving</c> in bench/).</summary>
public sealed class DiurnalServingGeneratorTests
{
    private static readonly DiurnalServingOptions Small = new() { Nodes = 12, Days = 2, Services = 4, Seed = 3 };

    [Fact]
    public void Generate_SameOptions_SameScenarioBitForBit()
    {
        var a = DiurnalServingGenerator.Generate(Small);
        var b = DiurnalServingGenerator.Generate(Small);

        Assert.Equal(a.Workloads, b.Workloads, (x, y) => x.Id == y.Id && x.SubmitTime == y.SubmitTime && x.Duration == y.Duration && x.Request == y.Request);
        Assert.NotEqual(a.Workloads.Select(w => w.Id), DiurnalServingGenerator.Generate(Small with { Seed = 4 }).Workloads.Select(w => w.Id));
    }

    [Fact]
    public void Generate_ReplicaCount_IsHigherInTheAfternoonThanAtNight()
    {
        var scenario = DiurnalServingGenerator.Generate(Small);
        var replicas = scenario.Workloads.Where(w => w.IsServing).ToArray();
        int AliveAt(double hours) => replicas.Count(r => r.SubmitTime.TotalHours <= hours && (r.SubmitTime + r.Duration!.Value).TotalHours > hours);

        foreach (var day in new[] { 0, 1 })
        {
            Assert.True(AliveAt((day * 24) + 14) > 2 * AliveAt((day * 24) + 2), $"day {day}: {AliveAt((day * 24) + 14)} replicas at 14:00, {AliveAt((day * 24) + 2)} at 02:00");
        }
    }

    [Fact]
    public void Generate_ScaleDown_EndsTheNewestReplicaFirst()
    {
        // Last in, first out: two replicas of one service are either apart in time or the younger ends first.
        var scenario = DiurnalServingGenerator.Generate(Small);
        foreach (var service in scenario.Workloads.Where(w => w.IsServing).GroupBy(w => w.ServingGroup))
        {
            var list = service.OrderBy(w => w.SubmitTime).ThenBy(w => w.Id, StringComparer.Ordinal).ToArray();
            for (var i = 0; i < list.Length; i++)
            {
                for (var j = i + 1; j < list.Length; j++)
                {
                    var (older, younger) = (list[i], list[j]);
                    var olderEnd = older.SubmitTime + older.Duration!.Value;
                    Assert.True(younger.SubmitTime >= olderEnd || younger.SubmitTime + younger.Duration!.Value <= olderEnd,
                        $"{younger.Id} outlives {older.Id}, which ended while it ran");
                }
            }
        }
    }

    [Fact]
    public void Generate_ReplicasAndTraining_InTheirQueuesWithTheirPrioritiesAndOneCohort()
    {
        var scenario = DiurnalServingGenerator.Generate(Small);

        Assert.All(scenario.Workloads.Where(w => w.IsServing), w =>
        {
            Assert.Equal(DiurnalServingGenerator.InferenceQueue, w.Queue);
            Assert.Equal(Small.ServingPriority, w.Priority);
            Assert.Equal(1, w.PodCount);
        });
        Assert.All(scenario.Workloads.Where(w => !w.IsServing), w =>
        {
            Assert.Equal(DiurnalServingGenerator.TrainingQueue, w.Queue);
            Assert.Equal(0, w.Priority);
        });
        Assert.Contains(scenario.Workloads, w => !w.IsServing);
        Assert.All(scenario.Queues.Queues, q => Assert.Equal("fleet", q.Cohort));
        Assert.Equal(12 * 8 * 1000, scenario.Queues.Queues.Sum(q => q.Flavors[0].Gpu!.Nominal));
        Assert.Equal(3, scenario.Nodes.Select(n => n.Labels[TopologyKeys.Zone]).Distinct().Count());
        Assert.Equal(6, scenario.Nodes.Select(n => n.Labels[TopologyKeys.Rack]).Distinct().Count());
    }

    public static TheoryData<DiurnalServingOptions, string> BadOptions => new()
    {
        { Small with { Nodes = 0 }, nameof(DiurnalServingOptions.Nodes) },
        { Small with { Zones = 4, RacksPerZone = 4 }, nameof(DiurnalServingOptions.Zones) },
        { Small with { PeakServingShare = 0 }, nameof(DiurnalServingOptions.PeakServingShare) },
        { Small with { TroughShare = 1.5 }, nameof(DiurnalServingOptions.TroughShare) },
        { Small with { ServingPriority = 0 }, nameof(DiurnalServingOptions.ServingPriority) },
        { Small with { TrainingGpus = [new(12, 1)] }, nameof(DiurnalServingOptions.TrainingGpus) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Generate_BadOption_SaysWhichAndHowToFix(DiurnalServingOptions options, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => DiurnalServingGenerator.Generate(options));

        Assert.Equal(field, error.ParamName);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }
}
