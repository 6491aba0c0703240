using Berth.Runtime.Health;
using Berth.Server.Telemetry;

namespace Berth.Server.Tests.Telemetry;

/// <summary>GPU health from the uncorrectable ECC counter: new errors mark a GPU, clean readings bring it back, missing data changes nothing.</summary>
public class GpuHealthTests
{
    private static GpuSample Reading(params SmiGpu[] gpus) => new(DateTimeOffset.UnixEpoch, gpus, [], []);

    private static SmiGpu Gpu(string uuid, long? ecc) => new(uuid, 0.5, 100, ecc);

    [Fact]
    public void Observe_NewUncorrectableErrors_MarkTheGpu_AndCleanReadingsBringItBack()
    {
        var health = new GpuHealth(recoverAfter: 3);
        Assert.Empty(health.Observe(Reading(Gpu("GPU-a", 0), Gpu("GPU-b", 0))));
        var marked = health.Observe(Reading(Gpu("GPU-a", 2), Gpu("GPU-b", 0)));
        Assert.Equal([new GpuHealthChange("GPU-a", false, "ecc.errors.uncorrected.volatile.total rose by 2 to 2")], marked);
        Assert.Equal(["GPU-a"], health.Unhealthy.Keys);

        Assert.Empty(health.Observe(Reading(Gpu("GPU-a", 2))));
        Assert.Empty(health.Observe(Reading(Gpu("GPU-a", 2))));
        Assert.Single(health.Unhealthy);
        var back = health.Observe(Reading(Gpu("GPU-a", 2)));
        Assert.True(back.Single().Healthy);
        Assert.Empty(health.Unhealthy);
    }

    [Fact]
    public void Observe_ANewErrorWhileUnhealthy_StartsTheCleanCountAgain()
    {
        var health = new GpuHealth(recoverAfter: 2);
        health.Observe(Reading(Gpu("GPU-a", 1)));
        health.Observe(Reading(Gpu("GPU-a", 1)));
        health.Observe(Reading(Gpu("GPU-a", 3)));
        health.Observe(Reading(Gpu("GPU-a", 3)));
        Assert.Single(health.Unhealthy);
        health.Observe(Reading(Gpu("GPU-a", 3)));
        Assert.Empty(health.Unhealthy);
    }

    public static TheoryData<string, GpuSample> NothingNew => new()
    {
        { "the GPU is missing from the reading", Reading(Gpu("GPU-b", 0)) },
        { "its counter is not available (ECC off)", Reading(Gpu("GPU-a", null)) },
        { "an empty reading", Reading() },
    };

    [Theory]
    [MemberData(nameof(NothingNew))]
    public void Observe_MissingOrNoNewData_MarksNothing_AndDoesNotCountAsClean(string because, GpuSample reading)
    {
        var health = new GpuHealth(recoverAfter: 1);
        health.Observe(Reading(Gpu("GPU-a", 1), Gpu("GPU-c", 0)));
        Assert.Single(health.Unhealthy);
        var changes = health.Observe(reading);
        Assert.True(changes.Count == 0, because);
        Assert.Equal(["GPU-a"], health.Unhealthy.Keys);
    }

    [Fact]
    public void Observe_CounterGoesBack_DriverReloaded_IsNoNewError_AndTheNextErrorCountsFromThere()
    {
        var health = new GpuHealth(recoverAfter: 5);
        Assert.False(health.Observe(Reading(Gpu("GPU-a", 4))).Single().Healthy);
        Assert.Empty(health.Observe(Reading(Gpu("GPU-a", 0))));
        Assert.Contains("rose by 4", health.Unhealthy["GPU-a"], StringComparison.Ordinal);
        health.Observe(Reading(Gpu("GPU-a", 1)));
        Assert.Contains("rose by 1 to 1", health.Unhealthy["GPU-a"], StringComparison.Ordinal);
    }
}
