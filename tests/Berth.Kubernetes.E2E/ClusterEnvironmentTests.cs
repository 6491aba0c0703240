namespace Berth.Kubernetes.E2E;

/// <summary>The suite's own switches, checked without a cluster (these run in CI).</summary>
public sealed class ClusterEnvironmentTests
{
    public sealed record KubeconfigCase(string Name, string? Variable, bool Skipped, string? FirstPath)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<KubeconfigCase> Cases => new(
        new KubeconfigCase("unset skips", null, Skipped: true, FirstPath: null),
        new KubeconfigCase("empty skips", "", Skipped: true, FirstPath: null),
        new KubeconfigCase("only separators skip", $"{Path.PathSeparator}{Path.PathSeparator}", Skipped: true, FirstPath: null),
        new KubeconfigCase("one path runs", "/tmp/kind.yaml", Skipped: false, FirstPath: "/tmp/kind.yaml"),
        new KubeconfigCase("a list runs with its first path", $"/tmp/a.yaml{Path.PathSeparator}/tmp/b.yaml", Skipped: false, FirstPath: "/tmp/a.yaml"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void SkipReasonFor_Kubeconfig_SkipsOnlyWithoutAPath(KubeconfigCase c)
    {
        ArgumentNullException.ThrowIfNull(c);

        Assert.Equal(c.Skipped ? ClusterEnvironment.SkipMessage : null, ClusterEnvironment.SkipReasonFor(c.Variable));
        Assert.Equal(c.FirstPath, ClusterEnvironment.FirstPath(c.Variable));
    }

    [Fact]
    public void SkipMessage_LinksToASectionThatExists()
    {
        var link = ClusterEnvironment.SkipMessage[(ClusterEnvironment.SkipMessage.IndexOf("docs/", StringComparison.Ordinal))..];
        var (file, anchor) = (link[..link.IndexOf('#', StringComparison.Ordinal)], link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..]);
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Berth.slnx")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var headings = File.ReadAllLines(Path.Combine(root.FullName, file))
            .Where(l => l.StartsWith('#'))
            .Select(l => string.Concat(l.TrimStart('#').Trim().ToLowerInvariant().Where(ch => char.IsLetterOrDigit(ch) || ch is ' ' or '-')).Replace(' ', '-'));
        Assert.Contains(anchor, headings);
    }
}
