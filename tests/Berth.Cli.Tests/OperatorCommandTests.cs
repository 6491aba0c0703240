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

    [Theory]
    [InlineData("--webhook-port", "70000")]
    [InlineData("--probe-port", "-5")]
    [InlineData("--metrics-port", "65536")]
    public void Operator_PortOutOfRange_IsRefusedAsBadInputNamingTheOption(string option, string value)
    {
        var run = CliRun.Of("operator", option, value, "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
    }
}
