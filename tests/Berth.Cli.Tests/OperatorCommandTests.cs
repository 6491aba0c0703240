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
    public void Operator_EmptyTerminationConditions_IsRefusedAsBadInputNamingTheOption()
    {
        var run = CliRun.Of("operator", "--termination-conditions", " , ", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--termination-conditions", run.Error, StringComparison.Ordinal);
        Assert.Contains("TerminationScheduled", run.Error, StringComparison.Ordinal);
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

    [Theory]
    [InlineData("--lease-duration", "soon", "--lease-duration")]
    [InlineData("--retry-period", "0ms", "--retry-period")]
    [InlineData("--renew-deadline", "20s", "shorter than --lease-duration")] // the default lease is 15s
    [InlineData("--retry-period", "9s", "shorter than --renew-deadline")] // 9s x 1.2 is past the default 10s
    public void Operator_BadLeaseTiming_IsRefusedAsBadInputNamingTheOption(string option, string value, string expected)
    {
        var run = CliRun.Of("operator", option, value, "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("A100", "MODEL=PRICE")]
    [InlineData("A100=cheap", "MODEL=PRICE")]
    [InlineData("A100=-1", "0 or more")]
    public void Operator_BadGpuPrice_IsRefusedAsBadInputNamingTheFlag(string value, string expected)
    {
        var run = CliRun.Of("operator", "--gpu-price", value, "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--gpu-price", run.Error, StringComparison.Ordinal);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_EmptyIdentity_IsRefusedAsBadInput()
    {
        var run = CliRun.Of("operator", "--identity", " ", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--identity", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void OperatorSettings_DefaultIdentity_DiffersBetweenTwoProcessesOnOneHost()
    {
        var identity = new Berth.Kubernetes.Operator.OperatorSettings().Identity;

        // The host name alone made two replicas on one host both hold the Lease; the process id tells them apart.
        Assert.NotEqual(Environment.MachineName, identity);
        Assert.EndsWith("_" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), identity, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("the Prometheus URL is not http", "--prometheus-url", new[] { "--prometheus-url", "ftp://prometheus:9090" })]
    [InlineData("the Prometheus URL is relative", "--prometheus-url", new[] { "--prometheus-url", "prometheus:9090/x" })]
    [InlineData("the interval is not a duration", "--telemetry-interval", new[] { "--prometheus-url", "http://prometheus:9090", "--telemetry-interval", "often" })]
    [InlineData("the maximum age is zero", "--telemetry-max-age", new[] { "--prometheus-url", "http://prometheus:9090", "--telemetry-max-age", "0s" })]
    [InlineData("the scale is zero", "--telemetry-scale", new[] { "--prometheus-url", "http://prometheus:9090", "--telemetry-scale", "0" })]
    [InlineData("the token file is missing", "--prometheus-token-file", new[] { "--prometheus-url", "http://prometheus:9090", "--prometheus-token-file", "/nonexistent/token" })]
    [InlineData("a telemetry flag comes without the URL", "--telemetry-interval", new[] { "--telemetry-interval", "1m" })]
    [InlineData("the health query is blank", "--health-query", new[] { "--prometheus-url", "http://prometheus:9090", "--health-query", " " })]
    [InlineData("GPUs would recover after no clean read", "--gpu-recover-after", new[] { "--prometheus-url", "http://prometheus:9090", "--gpu-recover-after", "0" })]
    [InlineData("a health flag comes without the URL", "--gpu-recover-after", new[] { "--gpu-recover-after", "3" })]
    public void Operator_BadTelemetryFlag_IsRefusedAsBadInputNamingTheFlag(string why, string flag, string[] args)
    {
        var run = CliRun.Of(["operator", .. args, "--kubeconfig", "/nonexistent/kubeconfig"]);

        Assert.True(run.ExitCode == 2, why);
        Assert.Contains(flag, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--kubeconfig", run.Error, StringComparison.Ordinal); // refused before anything else is tried
    }
}
