using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Berth.Cli.Data;
using Berth.TestKit;

namespace Berth.Cli.Tests;

/// <summary><c>berth data fetch</c> against a loopback server holding small fixtures (the real locations are out of reach here).</summary>
public sealed class DataFetchTests
{
    private static readonly byte[] Nodes = Encoding.UTF8.GetBytes(TinyTrace.Nodes());
    private static readonly byte[] Pods = Encoding.UTF8.GetBytes(TinyTrace.Pods());

    private static TraceSource Fixture(string? podsSha = null) => TraceCatalog.Openb with
    {
        Name = "fixture",
        Files =
        [
            new("nodes.csv", Sha(Nodes), Nodes.Length),
            new("sub/pods.csv", podsSha ?? Sha(Pods), Pods.Length),
        ],
    };

    [Fact]
    public void Fetch_WritesFilesLicenceAndSums_AndTheyReadAsATrace()
    {
        using var server = new LoopbackServer(new Dictionary<string, byte[]> { ["nodes.csv"] = Nodes, ["sub/pods.csv"] = Pods });
        using var dir = new TempDir();
        using var output = new StringWriter();
        using var http = new HttpClient();

        var written = new TraceFetcher(http, new CliTerminal(output, output, interactive: false, CancellationToken.None)).Fetch(Fixture(), server.BaseUrl, dir.Combine("data"));

        Assert.Equal(["nodes.csv", "pods.csv", "SOURCE.md", "SHA256SUMS"], written);
        Assert.Equal(Pods, File.ReadAllBytes(Path.Combine(dir.Combine("data"), "pods.csv")));
        var source = File.ReadAllText(Path.Combine(dir.Combine("data"), "SOURCE.md"));
        Assert.Contains("research or study", source, StringComparison.Ordinal);
        Assert.Contains(server.BaseUrl, source, StringComparison.Ordinal);
        Assert.Contains($"{Sha(Pods)}  pods.csv", File.ReadAllText(Path.Combine(dir.Combine("data"), "SHA256SUMS")), StringComparison.Ordinal);
        Assert.Contains("research or study", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("[2/2] sub/pods.csv", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(["data", "data/SHA256SUMS", "data/SOURCE.md", "data/nodes.csv", "data/pods.csv"], dir.Entries());

        var run = CliRun.Of("simulate", "--nodes", Path.Combine(dir.Combine("data"), "nodes.csv"), "--pods", Path.Combine(dir.Combine("data"), "pods.csv"), "--policies", "fgd", "--out", dir.Combine("out"));
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public void Fetch_ChecksumMismatch_FailsAndWritesNothing()
    {
        using var server = new LoopbackServer(new Dictionary<string, byte[]> { ["nodes.csv"] = Nodes, ["sub/pods.csv"] = Pods });
        using var dir = new TempDir();
        using var output = new StringWriter();
        using var http = new HttpClient();
        var fetcher = new TraceFetcher(http, new CliTerminal(output, output, interactive: false, CancellationToken.None));

        var e = Assert.Throws<FetchFailedException>(() => fetcher.Fetch(Fixture(podsSha: new string('0', 64)), server.BaseUrl, dir.Combine("data")));

        Assert.Contains("does not match the published file", e.Message, StringComparison.Ordinal);
        Assert.Empty(dir.Entries());
    }

    [Fact]
    public void DataFetch_Offline_ExitsThreeWithAClearErrorAndWritesNothing()
    {
        using var dir = new TempDir();

        var run = CliRun.Of("data", "fetch", "openb", "--to", dir.Combine("openb"), "--base-url", $"http://127.0.0.1:{LoopbackServer.FreePort()}/x");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.StartsWith("error: cannot reach 127.0.0.1:", run.Error, StringComparison.Ordinal);
        Assert.Contains("check the network connection", run.Error, StringComparison.Ordinal);
        Assert.Empty(dir.Entries());
    }

    [Fact]
    public void DataFetch_NotFound_ExitsThreeNamingTheUrl()
    {
        using var server = new LoopbackServer(new Dictionary<string, byte[]>());
        using var dir = new TempDir();

        var run = CliRun.Of("data", "fetch", "openb", "--to", dir.Combine("openb"), "--base-url", server.BaseUrl);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains($"GET {server.BaseUrl}/openb_node_list_all_node.csv: HTTP 404", run.Error, StringComparison.Ordinal);
        Assert.Empty(dir.Entries());
    }

    [Theory]
    [InlineData("nope", "unknown trace 'nope'; choose openb or itp")]
    [InlineData("openb --base-url ftp://x", "--base-url 'ftp://x': give an absolute http:// or https:// URL")]
    public void DataFetch_BadInput_ExitsTwo(string args, string message)
    {
        var run = CliRun.Of(["data", "fetch", .. args.Split(' ')]);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DataFetch_Itp_UnpacksTheArchiveAndWritesTheMitLicence()
    {
        var licence = Encoding.UTF8.GetBytes("MIT License\n\nCopyright (c) Microsoft Corporation.\n");
        var cluster = Encoding.UTF8.GetBytes("job_id,submission_time,duration,num_gpu\nj1,0,60,1\nj2,10,120,8\n");
        using var server = new LoopbackServer(new Dictionary<string, byte[]>
        {
            ["LICENSE"] = licence,
            ["data/raw-traces.tar.gz"] = TarGz(("raw-traces/cluster01.csv", cluster), ("raw-traces/../../evil.csv", cluster), ("raw-traces/README", licence)),
        });
        using var dir = new TempDir();

        var run = CliRun.Of("data", "fetch", "itp", "--to", dir.Combine("itp"), "--base-url", server.BaseUrl);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["itp", "itp/LICENSE", "itp/SHA256SUMS", "itp/SOURCE.md", "itp/cluster01.csv", "itp/evil.csv"], dir.Entries());
        Assert.Equal(cluster, File.ReadAllBytes(Path.Combine(dir.Combine("itp"), "cluster01.csv")));
        Assert.Contains("MIT License", File.ReadAllText(Path.Combine(dir.Combine("itp"), "SOURCE.md")), StringComparison.Ordinal);
        Assert.Contains("MIT License", run.Out, StringComparison.Ordinal);
    }

    /// <summary>The real catalog's checksums against the real files: serves ../shared/traces/openb and fetches it.</summary>
    [SharedDataFact]
    public void DataFetch_Openb_RealFilesMatchThePublishedChecksums()
    {
        var files = TraceCatalog.Openb.Files.ToDictionary(f => f.Path, f => File.ReadAllBytes(SharedData.Openb(f.Path)));
        using var server = new LoopbackServer(files);
        using var dir = new TempDir();

        var run = CliRun.Of("data", "fetch", "openb", "--to", dir.Combine("openb"), "--base-url", server.BaseUrl);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(TraceCatalog.Openb.Files.Count + 2, Directory.GetFiles(dir.Combine("openb")).Length);
        Assert.Contains("Weng et al.", File.ReadAllText(Path.Combine(dir.Combine("openb"), "SOURCE.md")), StringComparison.Ordinal);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] TarGz(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var (name, content) in entries)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return buffer.ToArray();
    }
}
