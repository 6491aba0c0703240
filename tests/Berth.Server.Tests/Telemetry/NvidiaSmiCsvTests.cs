using Berth.Server.Telemetry;

namespace Berth.Server.Tests.Telemetry;

/// <summary>nvidia-smi's CSVs as the driver prints them (<c>--format=csv,noheader,nounits</c>), and lines that do not fit.</summary>
public class NvidiaSmiCsvTests
{
    /// <summary>The GPU query on an H100 machine: the second GPU with ECC off (<c>[N/A]</c>).</summary>
    public const string GpuCsv = """
        GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b, 87, 40321, 0, 00000000:3B:00.0
        GPU-7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d, 0, 1, [N/A], 00000000:86:00.0

        """;

    /// <summary>The process query: one process on the first GPU, one on the second.</summary>
    public const string AppCsv = """
        41872, GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b, 40310
        41990, GPU-7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d, [N/A]

        """;

    [Fact]
    public void Gpus_RealCsv_ReadsEachGpu_AndNotAvailableIsNullNotZero()
    {
        var problems = new List<string>();
        var gpus = NvidiaSmiCsv.Gpus(GpuCsv, problems);
        Assert.Empty(problems);
        Assert.Equal(
            [new SmiGpu("GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b", 0.87, 40321, 0, "00000000:3B:00.0"), new SmiGpu("GPU-7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d", 0, 1, null, "00000000:86:00.0")],
            gpus);
    }

    [Fact]
    public void Apps_RealCsv_ReadsEachProcess()
    {
        var problems = new List<string>();
        var apps = NvidiaSmiCsv.Apps(AppCsv, problems);
        Assert.Empty(problems);
        Assert.Equal([new SmiApp(41872, "GPU-5e8f6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b", 40310), new SmiApp(41990, "GPU-7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d", null)], apps);
    }

    public static TheoryData<string, string> MalformedGpuLines => new()
    {
        { "a header line (csv without noheader)", "uuid, utilization.gpu [%], memory.used [MiB], ecc.errors.uncorrected.volatile.total" },
        { "units left in (csv without nounits)", "GPU-aaaa, 87 %, 40321 MiB, 0, 00000000:3B:00.0" },
        { "a field missing", "GPU-aaaa, 87, 40321" },
        { "a utilization over 100", "GPU-aaaa, 187, 40321, 0, 00000000:3B:00.0" },
        { "a negative count", "GPU-aaaa, 87, 40321, -1, 00000000:3B:00.0" },
        { "a PCI bus id that is not one", "GPU-aaaa, 87, 40321, 0, [N/A]" },
        { "an index instead of a UUID", "0, 87, 40321, 0" },
        { "an error message", "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." },
    };

    [Theory]
    [MemberData(nameof(MalformedGpuLines))]
    public void Gpus_MalformedLine_IsSkippedAndNamed_TheOthersRead(string because, string line)
    {
        var problems = new List<string>();
        var gpus = NvidiaSmiCsv.Gpus(line + "\nGPU-bbbb, 50, 10, 0, 00000000:86:00.0\n", problems);
        Assert.True(gpus.Count == 1 && gpus[0].Uuid == "GPU-bbbb", because);
        Assert.Single(problems);
        Assert.Contains("skipped", problems[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("No running processes found")]
    [InlineData("pid, gpu_uuid, used_gpu_memory [MiB]")]
    [InlineData("41872, 0, 40310")]
    public void Apps_MalformedLine_IsSkippedAndNamed(string line)
    {
        var problems = new List<string>();
        Assert.Empty(NvidiaSmiCsv.Apps(line, problems));
        Assert.Single(problems);
    }
}
