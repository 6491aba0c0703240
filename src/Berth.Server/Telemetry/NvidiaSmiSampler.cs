using System.ComponentModel;
using System.Diagnostics;

namespace Berth.Server.Telemetry;

/// <summary>
/// Takes one <see cref="GpuSample"/> by running <c>nvidia-smi</c> (the program at <paramref name="nvidiaSmi"/>: the
/// one on PATH, or a test's stand-in) three times: the GPUs, their compute processes, their NVLink error counters.
/// A failure of either of the first two (no program, a non-zero exit, no answer within the timeout) gives no sample
/// and says why: a missing reading changes nothing. A failed NVLink run only leaves the NVLink counters unknown.
/// </summary>
public sealed class NvidiaSmiSampler(string nvidiaSmi, TimeSpan timeout)
{
    /// <summary>A sample stamped <paramref name="at"/>, or null with <paramref name="error"/> saying why there is none.</summary>
    public GpuSample? Sample(DateTimeOffset at, out string? error)
    {
        var problems = new List<string>();
        if (Run([NvidiaSmiCsv.GpuQuery, NvidiaSmiCsv.Format], out error) is not { } gpus || Run([NvidiaSmiCsv.AppQuery, NvidiaSmiCsv.Format], out error) is not { } apps)
        {
            return null;
        }

        // NVLink counters are optional: a machine without NVLink, or a failing run, leaves them unknown.
        var nvlink = Run(NvidiaSmiNvlink.Arguments, out var nvlinkError) is { } text ? NvidiaSmiNvlink.Parse(text, problems) : [];
        if (nvlinkError is not null)
        {
            problems.Add($"NVLink error counters not read: {nvlinkError}");
        }

        return new GpuSample(at, NvidiaSmiCsv.Gpus(gpus, problems), NvidiaSmiCsv.Apps(apps, problems), problems, nvlink);
    }

    private string? Run(IReadOnlyList<string> arguments, out string? error)
    {
        error = null;
        var start = new ProcessStartInfo(nvidiaSmi) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var query = string.Join(' ', arguments);
        try
        {
            using var smi = Process.Start(start)!;
            var output = smi.StandardOutput.ReadToEndAsync();
            var errors = smi.StandardError.ReadToEndAsync();
            if (!smi.WaitForExit(timeout))
            {
                smi.Kill(entireProcessTree: true);
                error = $"{nvidiaSmi} {query} gave no answer within {timeout.TotalSeconds:0} s";
                return null;
            }

            if (smi.ExitCode != 0)
            {
                error = $"{nvidiaSmi} {query} exited with code {smi.ExitCode}: {errors.GetAwaiter().GetResult().Trim()}";
                return null;
            }

            return output.GetAwaiter().GetResult();
        }
        catch (Win32Exception e)
        {
            error = $"{nvidiaSmi} could not be run ({e.Message}); install the NVIDIA driver or give its path";
            return null;
        }
    }
}
