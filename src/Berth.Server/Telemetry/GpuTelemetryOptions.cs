namespace Berth.Server.Telemetry;

/// <summary>How <c>berth serve --local</c> reads its GPUs: which nvidia-smi, how often, when a reading is too old to use.</summary>
public sealed record GpuTelemetryOptions
{
    /// <summary>The program to run: the one on PATH unless told otherwise (tests give a stand-in).</summary>
    public string NvidiaSmi { get; init; } = "nvidia-smi";

    /// <summary>
    /// The command that prints the kernel log with ISO timestamps, for the driver's XID lines; empty: XIDs are not read.
    /// <c>journalctl -k -o short-iso</c> does as well where dmesg is restricted.
    /// </summary>
    public IReadOnlyList<string> KernelLog { get; init; } = ["dmesg", "--time-format", "iso"];

    /// <summary>Least server-clock time between two readings (decision cycles in between reuse the last one).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A reading older than this is stale: jobs' activity is then unknown (never idle); health keeps its marks.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one nvidia-smi run may take before the reading is given up.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Readings in a row without a new error before an unhealthy GPU is back in service.</summary>
    public int RecoverAfter { get; init; } = 30;

    /// <summary>Busy-GPU samples kept per job for right-sizing, the oldest going first (2880: 8 h at the default interval).</summary>
    public int HistoryPerJob { get; init; } = 2880;

    /// <summary>Jobs whose samples are kept (the oldest job's go first): bounds the memory of a long-running server.</summary>
    public int JobsRemembered { get; init; } = 1000;

    /// <summary>Refuses values that cannot work, naming the field and the fix.</summary>
    public void Validate()
    {
        if (Interval <= TimeSpan.Zero || MaxAge < Interval)
        {
            throw new ArgumentException($"GPU telemetry: interval {Interval} and max age {MaxAge}: give an interval above 0 and a max age of at least one interval", nameof(MaxAge));
        }

        if (RecoverAfter < 1 || HistoryPerJob < 1 || JobsRemembered < 1)
        {
            throw new ArgumentException("GPU telemetry: recoverAfter, historyPerJob and jobsRemembered must be at least 1", nameof(RecoverAfter));
        }
    }
}
