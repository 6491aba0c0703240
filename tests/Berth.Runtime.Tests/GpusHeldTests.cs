using Berth.Engine.Sharing;
using Berth.Model;
using Berth.Runtime.Lifecycle;

namespace Berth.Runtime.Tests;

/// <summary>A MIG pod's placement mask packs GPU and start per instance; health checks need the GPUs themselves.</summary>
public sealed class GpusHeldTests
{
    [Fact]
    public void MigMask_GivesTheGpusOfItsInstances_NotItsRawBits()
    {
        var pod = new Pod { Name = "p", MigProfile = "1g.10gb", MigCount = 2 };
        var mask = MigMask.With(MigMask.With(0, 0, gpu: 3, start: 6), 1, gpu: 1, start: 0);

        Assert.Equal((1 << 3) | (1 << 1), Gpus.GpusHeld(pod, mask));
        Assert.NotEqual(mask, Gpus.GpusHeld(pod, mask));
    }

    [Fact]
    public void WholeGpuMask_IsKept()
    {
        var pod = new Pod { Name = "p", GpuCount = 2, GpuMilli = Limits.GpuMilliPerGpu };

        Assert.Equal(0b1010, Gpus.GpusHeld(pod, 0b1010));
    }
}
