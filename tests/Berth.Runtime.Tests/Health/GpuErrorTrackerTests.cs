using Berth.Runtime.Health;

namespace Berth.Runtime.Tests.Health;

/// <summary>The health rules shared by the server (nvidia-smi) and the operator (DCGM through Prometheus).</summary>
public class GpuErrorTrackerTests
{
    private static GpuErrorSignal Xid(string gpu, long code) => new(gpu, "DCGM_FI_DEV_XID_ERRORS", GpuSignalKind.Code, code);

    private static GpuErrorSignal Nvlink(string gpu, long count) => new(gpu, "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", GpuSignalKind.Counter, count);

    private static GpuErrorSignal RemapFailed(string gpu, long flag) => new(gpu, "DCGM_FI_DEV_ROW_REMAP_FAILURE", GpuSignalKind.Flag, flag);

    [Fact]
    public void Observe_ANewXidCode_MarksTheGpu_TheSameCodeAgainIsClean()
    {
        var tracker = new GpuErrorTracker(recoverAfter: 2);
        Assert.Empty(tracker.Observe([Xid("n1/0", 0), Xid("n1/1", 0)]));
        Assert.Equal([new GpuHealthChange("n1/1", false, "DCGM_FI_DEV_XID_ERRORS 79")], tracker.Observe([Xid("n1/0", 0), Xid("n1/1", 79)]));
        Assert.Empty(tracker.Observe([Xid("n1/1", 79)]));
        Assert.True(tracker.IsUnhealthy("n1/1"));
        Assert.True(tracker.Observe([Xid("n1/1", 79)]).Single().Healthy);
        Assert.Empty(tracker.Unhealthy);
        Assert.False(tracker.Observe([Xid("n1/1", 48)]).Single().Healthy);
    }

    [Fact]
    public void Observe_ARaisedFlag_KeepsTheGpuUnhealthyWhileItStays()
    {
        var tracker = new GpuErrorTracker(recoverAfter: 1);
        tracker.Observe([RemapFailed("n1/0", 1)]);
        tracker.Observe([RemapFailed("n1/0", 1)]);
        tracker.Observe([RemapFailed("n1/0", 1)]);
        Assert.True(tracker.IsUnhealthy("n1/0"));
        Assert.True(tracker.Observe([RemapFailed("n1/0", 0)]).Single().Healthy);
    }

    [Fact]
    public void Observe_SeveralSignalsOfOneGpu_NameEveryNewError()
    {
        var tracker = new GpuErrorTracker(recoverAfter: 1);
        var change = tracker.Observe([Nvlink("n1/2", 5), Xid("n1/2", 74)]).Single();
        Assert.Equal("DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL rose by 5 to 5; DCGM_FI_DEV_XID_ERRORS 74", change.Message);
    }

    [Fact]
    public void Observe_AnEmptyOrUnrelatedReading_NeitherMarksNorCountsAsClean()
    {
        var tracker = new GpuErrorTracker(recoverAfter: 1);
        tracker.Observe([Nvlink("n1/0", 1)]);
        Assert.Empty(tracker.Observe([]));
        Assert.Empty(tracker.Observe([Nvlink("n2/0", 0)]));
        Assert.True(tracker.IsUnhealthy("n1/0"));
        Assert.False(tracker.IsUnhealthy("n2/0"));
    }
}
