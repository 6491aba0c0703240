using System.Text.RegularExpressions;
using Berth.Simulation.Formats;

namespace Berth.Simulation.Tests.Formats;

/// <summary>The examples in docs/FORMATS.md must stay valid input.</summary>
public sealed class FormatsDocTests
{
    [Fact]
    public void Examples_InFormatsDoc_ReadWithoutErrors()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "FORMATS.md"));
        var yaml = Blocks("yaml").Matches(doc).Select(m => m.Groups[1].Value).ToArray();
        var json = Blocks("json").Matches(doc).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, yaml.Length);
        Assert.Single(json);
        using var dir = new TempDir();

        var input = BerthFormat.Read(dir.Write("cluster.yaml", yaml[0]), dir.Write("workload.yaml", yaml[1]));
        var fromJson = BerthFormat.ReadCluster(dir.Write("cluster.json", json[0]));

        Assert.Equal(38, input.Nodes.Count);
        Assert.Equal(22, input.Pods.Count);
        Assert.Equal(33, fromJson.Nodes.Count);
    }

    private static Regex Blocks(string language) => new($"```{language}\\n(.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Berth.slnx not found above the test folder");
    }
}
