using System.Diagnostics;
using System.Globalization;

namespace Berth.Cli.Running;

/// <summary>
/// Names a process as "PID START-TICKS", so that a later process can tell whether it is still running; the start
/// time guards against a new process that got the same id.
/// </summary>
internal static class Owner
{
    public static string Current()
    {
        using var self = Process.GetCurrentProcess();
        return Describe(self.Id, self.StartTime);
    }

    public static string Describe(int pid, DateTime start) =>
        string.Create(CultureInfo.InvariantCulture, $"{pid} {start.ToUniversalTime().Ticks}");

    public static bool IsAlive(string owner)
    {
        var parts = owner.Trim().Split(' ');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            // Unreadable: not written by this code, so nobody owns it.
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && Math.Abs(process.StartTime.ToUniversalTime().Ticks - ticks) < TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // No process with that id, or it has exited.
            return false;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // It exists but cannot be inspected (another user's): keep its folder.
            return true;
        }
    }
}
