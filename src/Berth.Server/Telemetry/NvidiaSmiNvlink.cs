using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Server.Telemetry;

/// <summary>
/// Reads what <c>nvidia-smi nvlink -e</c> prints: a header per GPU (<c>GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-...)</c>)
/// followed by its links' error counters (<c>Link 0: Replay Errors: 0</c>, <c>Recovery Errors</c>, <c>CRC Errors</c>),
/// blank lines between links. A line that does not fit (a counter before any GPU header, a header without a UUID,
/// a value that is not a count) is skipped and named; its counter is then unknown, which never marks a GPU.
/// </summary>
public static partial class NvidiaSmiNvlink
{
    /// <summary>The arguments: nvidia-smi's NVLink error counters.</summary>
    public static readonly IReadOnlyList<string> Arguments = ["nvlink", "-e"];

    /// <summary>The counters in <paramref name="text"/>; skipped lines go to <paramref name="problems"/>.</summary>
    public static IReadOnlyList<NvlinkCounter> Parse(string text, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var counters = new List<NvlinkCounter>();
        string? uuid = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("GPU ", StringComparison.Ordinal))
            {
                var header = Header().Match(line);
                uuid = header.Success ? header.Groups["uuid"].Value : null;
                if (uuid is null)
                {
                    problems.Add($"nvidia-smi nvlink header skipped (want 'GPU n: name (UUID: GPU-...)'), its links unknown: {Clip(line)}");
                }

                continue;
            }

            var counter = Counter().Match(line);
            if (uuid is null || !counter.Success
                || !long.TryParse(counter.Groups["value"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                problems.Add($"nvidia-smi nvlink line skipped (want 'Link n: Replay|Recovery|CRC Errors: count' under a GPU header): {Clip(line)}");
                continue;
            }

            counters.Add(new NvlinkCounter(uuid, int.Parse(counter.Groups["link"].Value, CultureInfo.InvariantCulture), counter.Groups["name"].Value, value));
        }

        return counters;
    }

    private static string Clip(string line) => line.Length <= 120 ? line : line[..120] + "...";

    [GeneratedRegex(@"^GPU \d+: .*\(UUID: (?<uuid>GPU-[0-9A-Za-z-]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex Header();

    [GeneratedRegex(@"^Link (?<link>\d{1,3}): (?<name>Replay|Recovery|CRC) Errors: (?<value>\S+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Counter();
}
