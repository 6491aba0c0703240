using Berth.Server.Telemetry;

namespace Berth.Server.Tests.Telemetry;

/// <summary><c>nvidia-smi nvlink -e</c> as the driver prints it (a header per GPU, three counters per link), and lines that do not fit.</summary>
public class NvidiaSmiNvlinkTests
{
    private const string Output = "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b)\n"
        + "\t Link 0: Replay Errors: 0\n\t Link 0: Recovery Errors: 0\n\t Link 0: CRC Errors: 0\n\n"
        + "\t Link 17: Replay Errors: 12\n\t Link 17: Recovery Errors: 1\n\t Link 17: CRC Errors: 4\n";

    [Fact]
    public void Parse_RealOutput_ReadsEachLinksCounters()
    {
        var problems = new List<string>();
        var counters = NvidiaSmiNvlink.Parse(Output, problems);
        Assert.Empty(problems);
        const string gpu = "GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b";
        Assert.Equal(
            [new(gpu, 0, "Replay", 0), new(gpu, 0, "Recovery", 0), new(gpu, 0, "CRC", 0), new(gpu, 17, "Replay", 12), new(gpu, 17, "Recovery", 1), new NvlinkCounter(gpu, 17, "CRC", 4)],
            counters);
    }

    [Theory]
    [InlineData("\t Link 0: CRC Errors: 3\n")]
    [InlineData("GPU 0: NVIDIA H100 80GB HBM3\n\t Link 0: CRC Errors: 3\n")]
    [InlineData("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)\n\t Link 0: CRC Errors: [N/A]\n")]
    [InlineData("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)\n\t Link 0: Data Errors: 3\n")]
    public void Parse_MalformedLine_IsNamedNotCounted(string text)
    {
        var problems = new List<string>();
        Assert.Empty(NvidiaSmiNvlink.Parse(text, problems));
        Assert.NotEmpty(problems);
    }
}
