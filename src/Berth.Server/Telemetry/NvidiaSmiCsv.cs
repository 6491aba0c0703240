using System.Globalization;

namespace Berth.Server.Telemetry;

/// <summary>
/// Reads the two CSVs <c>nvidia-smi</c> prints for Berth's queries (<c>--format=csv,noheader,nounits</c>: one line per
/// GPU or process, fields split by <c>", "</c>, no units). A line that does not fit is skipped and named in the
/// problems, never guessed at: a GPU missing from the reading is unknown, and unknown is never idle nor unhealthy.
/// </summary>
public static class NvidiaSmiCsv
{
    /// <summary>The fields of the GPU query, in order.</summary>
    public const string GpuQuery = "--query-gpu=uuid,utilization.gpu,memory.used,ecc.errors.uncorrected.volatile.total,pci.bus_id";

    /// <summary>The fields of the process query, in order.</summary>
    public const string AppQuery = "--query-compute-apps=pid,gpu_uuid,used_memory";

    public const string Format = "--format=csv,noheader,nounits";

    /// <summary>The GPUs of the GPU query's output; skipped lines go to <paramref name="problems"/>.</summary>
    public static IReadOnlyList<SmiGpu> Gpus(string text, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var gpus = new List<SmiGpu>();
        foreach (var line in Lines(text))
        {
            var f = line.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length != 5 || !f[0].StartsWith("GPU-", StringComparison.Ordinal)
                || !Number(f[1], out var util) || !Number(f[2], out var memory) || !Number(f[3], out var ecc)
                || util is < 0 or > 100 || f[4].Split(':').Length != 3)
            {
                problems.Add($"nvidia-smi GPU line skipped (want 'uuid, utilization %, memory MiB, uncorrected ECC errors, PCI bus id'): {Clip(line)}");
                continue;
            }

            gpus.Add(new SmiGpu(f[0], util / 100.0, (long?)memory, (long?)ecc, f[4]));
        }

        return gpus;
    }

    /// <summary>The processes of the process query's output; skipped lines go to <paramref name="problems"/>.</summary>
    public static IReadOnlyList<SmiApp> Apps(string text, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var apps = new List<SmiApp>();
        foreach (var line in Lines(text))
        {
            var f = line.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length != 3 || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || !f[1].StartsWith("GPU-", StringComparison.Ordinal) || !Number(f[2], out var memory))
            {
                problems.Add($"nvidia-smi process line skipped (want 'pid, GPU uuid, memory MiB'): {Clip(line)}");
                continue;
            }

            apps.Add(new SmiApp(pid, f[1], (long?)memory));
        }

        return apps;
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A number, or null for a field nvidia-smi marks as not available (<c>[N/A]</c>, <c>[Not Supported]</c>); false when neither.</summary>
    private static bool Number(string field, out double? value)
    {
        value = null;
        if (field.StartsWith('[') && field.EndsWith(']'))
        {
            return true;
        }

        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v))
        {
            value = v;
            return true;
        }

        return false;
    }

    private static string Clip(string line) => line.Length <= 120 ? line : line[..120] + "...";
}
