using System.Diagnostics;
using Berth.Cli.Running;
using Berth.Simulation.Input;

namespace Berth.Cli.Tests;

/// <summary>Issue 12, point 9: one exit-code policy for the whole CLI, and the small gaps around it.</summary>
public sealed class ExitCodeTests
{
    [Fact]
    public void RootHelp_StatesTheExitCodePolicy()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var line in new[] { "0    done", "1    unexpected failure", "2    bad input or usage", "3    a server could not be reached", "130  interrupted" })
        {
            Assert.Contains(line, run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Operator_MissingKubeconfig_ExitsTwoLikeSnapshot()
    {
        var missing = Path.Combine(Path.GetTempPath(), "berth-no-such-kubeconfig-" + Guid.NewGuid().ToString("N"));

        var operatorRun = CliRun.Of("operator", "--kubeconfig", missing);
        var snapshotRun = CliRun.Of("snapshot", "--kubeconfig", missing, "-o", Path.Combine(Path.GetTempPath(), "x.json"));

        Assert.Equal(ExitCodes.BadInput, snapshotRun.ExitCode);
        Assert.Equal(snapshotRun.ExitCode, operatorRun.ExitCode);
        Assert.Contains($"--kubeconfig {missing}: file not found", operatorRun.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_ArgumentExceptionFromABug_IsAnUnexpectedFailureNotBadInput()
    {
        using var error = new StringWriter();

        var code = BerthCli.Guard(() => throw new ArgumentException("Value cannot be negative. (Parameter 'count')"), error, CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.StartsWith("error: unexpected ArgumentException:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("bug", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_InputException_IsBadInput()
    {
        using var error = new StringWriter();

        var code = BerthCli.Guard(() => throw new InputException("f.csv", 3, "gpu", "bad"), error, CancellationToken.None);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("error: f.csv:3: field 'gpu': bad", error.ToString().Trim());
    }

    [Fact]
    public void BinaryCsv_HeaderIsEscapedNotEchoedRaw()
    {
        using var dir = new TempDir();
        var binary = Path.Combine(dir.Path, "nodes.csv");
        var bytes = new byte[300];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x7F;
        bytes[1] = 0x1B; // ESC: a raw one would start a terminal escape sequence
        bytes[2] = 0;
        File.WriteAllBytes(binary, bytes.Select(b => b == (byte)'\n' ? (byte)'x' : b).ToArray());
        var pods = dir.File("pods.csv", TinyTrace.Pods());

        var run = CliRun.Of("simulate", "--nodes", binary, "--pods", pods, "--out", dir.Combine("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not a text CSV file", run.Error, StringComparison.Ordinal);
        Assert.Contains("\\x7F\\x1B\\0", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Error, c => char.IsControl(c) && c is not ('\n' or '\r'));
    }

    [Fact]
    public void CsvHeader_MissingColumn_QuotesTheHeaderPrintably()
    {
        using var dir = new TempDir();
        var nodes = dir.File("nodes.csv", "sn,cpu\u001b[31m,memory_mib\nn1,1,1\n");
        var pods = dir.File("pods.csv", TinyTrace.Pods());

        var run = CliRun.Of("simulate", "--nodes", nodes, "--pods", pods, "--out", dir.Combine("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cpu\\x1B[31m", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Error);
    }

    [Fact]
    public void Simulate_RemovesStagingFolderOfAKilledRun_KeepsOneOfALiveRun()
    {
        using var dir = new TempDir();
        var nodes = dir.File("nodes.csv", TinyTrace.Nodes());
        var pods = dir.File("pods.csv", TinyTrace.Pods());

        // What a run killed with SIGKILL leaves: a staging folder owned by a process that is gone.
        using var gone = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        var goneOwner = Owner.Describe(gone.Id, gone.StartTime);
        gone.WaitForExit();
        var stale = Directory.CreateDirectory(dir.Combine(".out.berth-deadbeef.tmp")).FullName;
        File.WriteAllText(Path.Combine(stale, OutputFolder.OwnerFile), goneOwner);
        File.WriteAllText(Path.Combine(stale, "summary.csv"), "half written");

        // And one of a run still going (this process).
        var live = Directory.CreateDirectory(dir.Combine(".out.berth-0badcafe.tmp")).FullName;
        File.WriteAllText(Path.Combine(live, OutputFolder.OwnerFile), Owner.Current());

        var run = CliRun.Of("simulate", "--nodes", nodes, "--pods", pods, "--policies", "fgd", "--out", dir.Combine("out"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(live));
        Assert.DoesNotContain(dir.Entries(), e => e.StartsWith(".out.berth-", StringComparison.Ordinal) && e != ".out.berth-0badcafe.tmp" && !e.StartsWith(".out.berth-0badcafe.tmp/", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles(dir.Combine("out")), f => Path.GetFileName(f) == OutputFolder.OwnerFile);
    }
}
