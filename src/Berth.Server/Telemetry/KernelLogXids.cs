using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Server.Telemetry;

/// <summary>
/// Finds the NVIDIA driver's XID lines in kernel-log text with ISO timestamps, as <c>dmesg --time-format iso</c>
/// (<c>2026-12-07T18:02:11,482913+00:00 NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off
/// the bus.</c>) and <c>journalctl -k -o short-iso</c> (<c>2026-12-07T18:02:11+0000 host kernel: NVRM: Xid ...</c>)
/// print them. Other lines are not XIDs and are passed over; an XID line whose timestamp or code cannot be read is
/// named in the problems and never counted.
/// </summary>
public static partial class KernelLogXids
{
    /// <summary>
    /// XIDs that mean the GPU itself is in trouble, so it is withheld: 48 (double-bit ECC), 63 and 64 (page
    /// retirement or row remapping event and failure), 74 (NVLink error), 79 (fallen off the bus), 92 (high
    /// single-bit ECC rate), 94 and 95 (contained and uncontained ECC error), 119 and 120 (GSP timeout and error).
    /// Source: NVIDIA's XID catalog (docs.nvidia.com/deploy/xid-errors), whose recommended action for these is a GPU
    /// reset or a hardware check; the others are mostly the application's own faults (13, 31, 43) and are only reported.
    /// </summary>
    public static readonly IReadOnlySet<int> Hardware = new HashSet<int> { 48, 63, 64, 74, 79, 92, 94, 95, 119, 120 };

    /// <summary>The XIDs in <paramref name="text"/> stamped after <paramref name="after"/>, oldest first; unreadable XID lines go to <paramref name="problems"/>.</summary>
    public static IReadOnlyList<KernelXid> Parse(string text, DateTimeOffset after, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var xids = new List<KernelXid>();
        foreach (var raw in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!raw.Contains("NVRM: Xid", StringComparison.Ordinal))
            {
                continue;
            }

            var match = XidLine().Match(raw);
            if (!match.Success || !Stamp(match.Groups["at"].Value, out var at)
                || !int.TryParse(match.Groups["code"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                problems.Add($"kernel log XID line skipped (want 'ISO time ... NVRM: Xid (PCI:dddd:bb:dd): code, ...'): {(raw.Length <= 120 ? raw : raw[..120] + "...")}");
                continue;
            }

            if (at > after)
            {
                xids.Add(new KernelXid(at, Bus(match.Groups["bus"].Value), code, raw));
            }
        }

        return xids;
    }

    /// <summary>
    /// A PCI address in one form for both sources: the kernel log's <c>PCI:0000:3b:00</c> and nvidia-smi's
    /// <c>00000000:3B:00.0</c> are both <c>0000:3b:00</c> (the last four digits of the domain, bus, device; no function).
    /// </summary>
    public static string Bus(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var a = address.Trim();
        a = a.StartsWith("PCI:", StringComparison.OrdinalIgnoreCase) ? a[4..] : a;
        var dot = a.IndexOf('.', StringComparison.Ordinal);
        a = dot >= 0 ? a[..dot] : a;
        var parts = a.Split(':');
        if (parts.Length != 3)
        {
            return a.ToLowerInvariant();
        }

        var domain = parts[0].Length > 4 ? parts[0][^4..] : parts[0].PadLeft(4, '0');
        return $"{domain}:{parts[1]}:{parts[2]}".ToLowerInvariant();
    }

    /// <summary>dmesg's <c>2026-12-07T18:02:11,482913+00:00</c> or journalctl's <c>2026-12-07T18:02:11+0000</c>.</summary>
    private static bool Stamp(string field, out DateTimeOffset at)
    {
        var s = field.Replace(',', '.');
        if (s.Length > 5 && (s[^5] == '+' || s[^5] == '-') && s[^4..].All(char.IsAsciiDigit))
        {
            s = s[..^2] + ":" + s[^2..];
        }

        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
    }

    [GeneratedRegex(@"^(?<at>\d{4}-\d\d-\d\dT\S+)\s.*NVRM: Xid \((?:PCI:)?(?<bus>[0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+)[^)]*\): (?<code>\d+),", RegexOptions.CultureInvariant)]
    private static partial Regex XidLine();
}
