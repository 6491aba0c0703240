using System.ComponentModel;
using System.Diagnostics;

namespace Berth.Server.Telemetry;

/// <summary>
/// Takes one <see cref="GpuSample"/> by running <c>nvidia-smi</c> (the program at <paramref name="nvidiaSmi"/>: the
/// one on PATH, or a test's stand-in) twice, for the GPUs and for their compute processes. Any failure (no program,
/// a non-zero exit, no answer within the timeout) gives no sample and says why: a missing reading changes nothing.
/// </summary>
public sealed class NvidiaSmiSampler(string nvidiaSmi, TimeSpan timeout)
{
    /// <summary>A sample stamped <paramref name="at"/>, or null with <paramref name="error"/> saying why there is none.</summary>
    public GpuSample? Sample(DateTimeOffset at, out string? error)
    {
        var problems = new List<string>();
        if (Run(NvidiaSmiCsv.GpuQuery, out error) is not { } gpus || Run(NvidiaSmiCsv.AppQuery, out error) is not { } apps)
        {
            return null;
        }

        return new GpuSample(at, NvidiaSmiCsv.Gpus(gpus, problems), NvidiaSmiCsv.Apps(apps, problems), problems);
    }

    private string? Run(string query, out string? error)
    {
        error = null;
        var start = new ProcessStartInfo(nvidiaSmi) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(query);
        start.ArgumentList.Add(NvidiaSmiCsv.Format);
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
