using System.Diagnostics;

namespace Berth.Cli.Tests.Chaos;

/// <summary>
/// One <c>berth operator --leader-elect</c> as a separate OS process (<c>dotnet berth.dll operator</c>), with its own
/// Lease identity and its output in a log file. <see cref="Kill"/> sends SIGKILL: no shutdown code runs, the Lease is
/// not released, writes in flight are lost or land, as when a node dies under the pod.
/// </summary>
internal sealed class ChaosReplica : IDisposable
{
    private readonly Process _process;

    private ChaosReplica(string identity, Process process, string log)
    {
        Identity = identity;
        _process = process;
        Log = log;
    }

    /// <summary>The name this replica writes into the Lease (unique per process: a restarted replica gets a new one).</summary>
    public string Identity { get; }

    public string Log { get; }

    public bool Alive => !_process.HasExited;

    public static ChaosReplica Start(ChaosOptions options, string kubeconfig, string identity, string logFolder)
    {
        var log = Path.Combine(logFolder, identity + ".log");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };

        // exec: the shell becomes dotnet, so the process we kill is the operator itself, and its output goes to the file.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >\"$BERTH_CHAOS_LOG\" 2>&1");
        start.ArgumentList.Add("sh");
        foreach (var arg in (string[])[
            DotnetHost(), options.BerthDll, "operator", "--kubeconfig", kubeconfig, "--leader-elect", "--identity", identity,
            "--lease-duration", options.LeaseDuration, "--renew-deadline", options.RenewDeadline, "--retry-period", options.RetryPeriod,
            "--profile", "fair-share+backfill", "--resync", "2s", "--metrics-port", "0", "--probe-port", "0", "--webhook-port", "-1", "--dashboard-port", "-1", "--plain-logs"])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["BERTH_CHAOS_LOG"] = log;
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["BERTH_DEBUG"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + options.BerthDll);
        return new ChaosReplica(identity, process, log);
    }

    /// <summary>SIGKILL (Process.Kill on Unix), then waits until the process is gone.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already exited
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>The dotnet host running us (tests and benchmarks run under it), else DOTNET_HOST_PATH, else dotnet on the PATH.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
