using Berth.Server.Telemetry;

namespace Berth.Server.Tests.Telemetry;

/// <summary>XID lines as dmesg and journalctl print them, and PCI addresses as the kernel log and nvidia-smi write them.</summary>
public class KernelLogXidsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_DmesgAndJournalctlLines_ReadsTimeBusAndCode_SkipsOtherLinesAndOlderOnes()
    {
        const string log = """
            2026-12-07T17:59:59,000001+00:00 NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=python, GPU has fallen off the bus.
            2026-12-07T18:02:11,482913+00:00 nvidia-modeset: Loading NVIDIA Kernel Mode Setting Driver
            2026-12-07T18:02:11,482913+00:00 NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus.
            2026-12-07T19:02:12+0100 gpu-host-7 kernel: NVRM: Xid (PCI:0000:86:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.
            """;
        var problems = new List<string>();
        var xids = KernelLogXids.Parse(log, Start, problems);
        Assert.Empty(problems);
        Assert.Equal(
            [(Start.AddTicks(1_314_829_130), "0000:3b:00", 79), (Start.AddSeconds(132), "0000:86:00", 48)],
            xids.Select(x => (x.At, x.Bus, x.Code)));
    }

    [Theory]
    [InlineData("PCI:0000:3b:00", "0000:3b:00")]
    [InlineData("00000000:3B:00.0", "0000:3b:00")]
    [InlineData("00000001:86:00.0", "0001:86:00")]
    public void Bus_KernelLogAndNvidiaSmiForms_AreTheSame(string address, string bus) => Assert.Equal(bus, KernelLogXids.Bus(address));

    [Fact]
    public void Parse_XidLineWithoutTimeOrCode_IsNamedNotCounted()
    {
        var problems = new List<string>();
        Assert.Empty(KernelLogXids.Parse("[ 1234.5678] NVRM: Xid (PCI:0000:3b:00): 79, pid=1\n", Start, problems));
        Assert.Single(problems);
    }
}
