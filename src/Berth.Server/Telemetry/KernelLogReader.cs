using System.ComponentModel;
using System.Diagnostics;

namespace Berth.Server.Telemetry;

/// <summary>
/// Reads the kernel log through a command (<c>dmesg --time-format iso</c> unless told otherwise) and hands back the
/// XIDs not seen before: only lines newer than the newest one already read, and never one older than the first read
/// (the server's start), so neither a second reading nor a restart counts an XID twice. When the command is missing
/// or not permitted it says so once (<see cref="Problem"/>, first time only) and gives nothing: no GPU is marked.
/// </summary>
public sealed class KernelLogReader(IReadOnlyList<string> command, TimeSpan timeout)
{
    private DateTimeOffset? _since;
    private bool _told;

    /// <summary>Why the kernel log could not be read, on the first failure only; null otherwise.</summary>
    public string? Problem { get; private set; }

    /// <summary>The new XIDs at <paramref name="now"/>, or null when the log could not be read; unreadable lines go to <paramref name="problems"/>.</summary>
    public IReadOnlyList<KernelXid>? Read(DateTimeOffset now, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        _since ??= now;
        Problem = null;
        if (command.Count == 0)
        {
            return null;
        }

        if (Run(out var error) is not { } text)
        {
            if (!_told)
            {
                _told = true;
                Problem = $"{error}; XID errors are not read (GPU health uses the other signals)";
            }

            return null;
        }

        var xids = KernelLogXids.Parse(text, _since.Value, problems);
        if (xids.Count > 0)
        {
            _since = xids.Max(x => x.At);
        }

        return xids;
    }

    private string? Run(out string error)
    {
        error = string.Empty;
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var shown = string.Join(' ', command);
        try
        {
            using var log = Process.Start(start)!;
            var output = log.StandardOutput.ReadToEndAsync();
            var errors = log.StandardError.ReadToEndAsync();
            if (!log.WaitForExit(timeout))
            {
                log.Kill(entireProcessTree: true);
                error = $"{shown} gave no answer within {timeout.TotalSeconds:0} s";
                return null;
            }

            if (log.ExitCode != 0)
            {
                error = $"{shown} exited with code {log.ExitCode}: {errors.GetAwaiter().GetResult().Trim()} (not permitted? give the server read access to the kernel log)";
                return null;
            }

            return output.GetAwaiter().GetResult();
        }
        catch (Win32Exception e)
        {
            error = $"{shown} could not be run ({e.Message})";
            return null;
        }
    }
}
