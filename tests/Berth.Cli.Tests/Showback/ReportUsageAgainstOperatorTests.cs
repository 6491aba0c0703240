using Berth.Kubernetes.Operator;

namespace Berth.Cli.Tests.Showback;

/// <summary>
/// Issue 16 point 6, end to end: the real <c>berth report usage</c> (through the CLI's entry point) against the
/// operator's dashboard port over HTTPS, trusting the operator's CA with <c>--certificate-authority</c>
/// (see <see cref="ShowbackOperator"/> for what is seeded).
/// </summary>
public sealed class ReportUsageAgainstOperatorTests(ShowbackOperator cluster) : IClassFixture<ShowbackOperator>
{
    private const string Header = "from,to,queue,user,gpu_model,jobs,allocated_gpu_hours,used_gpu_hours,cost,currency,namespace";

    private CliRun Report(string token, string ca, params string[] more) =>
        CliRun.Of(["report", "usage", "--server", cluster.Url, "--token", token, "--certificate-authority", ca, "--from", "2026-12-01", "--to", "2026-12-08", .. more]);

    [Fact]
    public void AnAdmin_GetsEveryNamespace_WithExactGpuHoursAndCosts()
    {
        var run = Report("admin-token", cluster.CaFile, "--format", "csv");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            [
                Header,
                "2026-12-01T00:00:00Z,2026-12-08T00:00:00Z,team-a,alice,A100,1,3.0000,1.0000,7.50,EUR,alpha",
                "2026-12-01T00:00:00Z,2026-12-08T00:00:00Z,team-b,bob,H100,1,1.5000,0.7500,6.00,EUR,beta",
            ],
            run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ATenant_SeesOnlyTheirNamespace()
    {
        var run = Report("alice-token", cluster.CaFile, "--format", "csv");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            [Header, "2026-12-01T00:00:00Z,2026-12-08T00:00:00Z,team-a,alice,A100,1,3.0000,1.0000,7.50,EUR,alpha"],
            run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void TheTable_HasTheNamespaceColumn_AndALaterPeriodItsOwnDay()
    {
        var run = CliRun.Of("report", "usage", "--server", cluster.Url, "--token", "admin-token", "--certificate-authority", cluster.CaFile, "--from", "2026-12-09", "--to", "2026-12-10");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["QUEUE", "NAMESPACE", "USER", "GPU", "MODEL", "JOBS", "ALLOCATED", "GPU-H", "USED", "GPU-H", "COST", "EUR"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["team-a", "alpha", "alice", "A100", "1", "10", "0", "25"], Assert.Single(lines[1..]).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AnotherCa_IsNotTrusted_WithAClearMessageAndExit3()
    {
        var (_, _, otherCa) = ServingCertificate.Generate(["localhost"], DateTimeOffset.UtcNow);
        var file = cluster.WriteFile("other-ca.crt", otherCa);

        var run = Report("admin-token", file, "--format", "csv");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Equal(string.Empty, run.Out);
        Assert.Contains("does not trust", run.Error, StringComparison.Ordinal);
        Assert.Contains("--certificate-authority", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutACa_TheSystemsRootsDoNotTrustTheOperator_AndNothingIsSkipped()
    {
        var run = CliRun.Of("report", "usage", "--server", cluster.Url, "--token", "admin-token", "--format", "csv");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("does not trust", run.Error, StringComparison.Ordinal);
        Assert.Contains("BERTH_CA_FILE", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "no such file")]
    [InlineData("not-pem", "no PEM certificate")]
    [InlineData("broken-pem", "cannot read a PEM certificate")]
    public void ABadCaFile_IsBadInputNamingTheFlag(string which, string expected)
    {
        var file = which switch
        {
            "missing" => cluster.PathOf("nothing.crt"),
            "not-pem" => cluster.WriteFile("not-pem.crt", "this is not a certificate\n"),
            _ => cluster.WriteFile("broken.crt", "-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----\n"),
        };

        var run = Report("admin-token", file, "--format", "csv");

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.StartsWith("error: --certificate-authority " + file + ": ", run.Error, StringComparison.Ordinal);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public void ACa_ForAPlainHttpServer_IsBadInput()
    {
        var run = CliRun.Of("report", "usage", "--server", "http://127.0.0.1:1", "--certificate-authority", cluster.CaFile);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("--certificate-authority", run.Error, StringComparison.Ordinal);
        Assert.Contains("https://", run.Error, StringComparison.Ordinal);
    }
}
