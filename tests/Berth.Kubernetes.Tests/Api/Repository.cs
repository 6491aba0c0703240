namespace Berth.Kubernetes.Tests.Api;

/// <summary>The repository root (the folder holding Berth.slnx), found above the test binaries.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string Deploy => Path.Combine(Root, "deploy");

    /// <summary>
    /// Every Kubernetes manifest under deploy/, relative to the repository root, sorted. The Helm chart (templates,
    /// values; its crds/ are copies of deploy/crds/) and the kind cluster config are not manifests and have their own tests.
    /// </summary>
    public static IReadOnlyList<string> DeployYamlFiles =>
        AllYamlFiles(Deploy).Where(f => !f.StartsWith("deploy/helm/", StringComparison.Ordinal) && !f.StartsWith("deploy/kind/", StringComparison.Ordinal) && !f.StartsWith("deploy/cert-manager/", StringComparison.Ordinal)).ToArray();

    /// <summary>Every YAML file under <paramref name="folder"/> (absolute), relative to the repository root, sorted.</summary>
    public static IReadOnlyList<string> AllYamlFiles(string folder) =>
        Directory.GetFiles(folder, "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(folder, "*.yml", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Berth.slnx not found above the test folder");
    }
}
