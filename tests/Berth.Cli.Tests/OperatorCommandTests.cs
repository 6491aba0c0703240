namespace Berth.Cli.Tests;

public sealed class OperatorCommandTests
{
    [Fact]
    public void Operator_KubeDefaultProfile_IsRefusedAsBadInputNamingTheAllowedOnes()
    {
        var run = CliRun.Of("operator", "--profile", "kube-default", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("kube-default", run.Error, StringComparison.Ordinal);
        Assert.Contains("fair-share+backfill", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_BadResync_IsRefusedAsBadInput()
    {
        var run = CliRun.Of("operator", "--resync", "soon");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--resync", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_MissingKubeconfig_IsBadInputAndSaysHowToConnect()
    {
        var run = CliRun.Of("operator", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--kubeconfig", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_Help_TeachesWithExamplesAndExitCodes()
    {
        var run = CliRun.Of("operator", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--leader-elect", run.Out, StringComparison.Ordinal);
        Assert.Contains("Exit codes", run.Out, StringComparison.Ordinal);
    }
}
