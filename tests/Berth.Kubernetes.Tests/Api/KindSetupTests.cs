using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Berth.Kubernetes.Tests.Api;

/// <summary>
/// deploy/kind: the cluster config and the scripts that set up and run the end-to-end suite. No kind binary or
/// cluster is here, so these check what can be checked without one: the config parses, the scripts are valid
/// bash, and every file they apply exists.
/// </summary>
public sealed partial class KindSetupTests
{
    private static string[] ScriptFiles => Directory.GetFiles(Path.Combine(Repository.Deploy, "kind"), "*.sh")
        .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string> Scripts => new(ScriptFiles);

    [Fact]
    public void KindConfig_IsAClusterWithOneControlPlaneAndThreeWorkers()
    {
        var config = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(Repository.Read("deploy/kind/kind-config.yaml"));

        Assert.Equal("Cluster", config["kind"]);
        Assert.Equal("kind.x-k8s.io/v1alpha4", config["apiVersion"]);
        var roles = ((List<object>)config["nodes"]).Cast<Dictionary<object, object>>().Select(n => (string)n["role"]).ToArray();
        Assert.Equal(["control-plane", "worker", "worker", "worker"], roles);
    }

    [Fact]
    public void Scripts_AreTheTwoTheDocsName()
    {
        Assert.Equal(["deploy/kind/run-e2e.sh", "deploy/kind/setup.sh"], ScriptFiles);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_PassesBashSyntaxCheck(string script)
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", Path.Combine(Repository.Root, script)]) { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        bash.WaitForExit();

        Assert.True(bash.ExitCode == 0, $"bash -n {script}: {errors}");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_IsExecutableAndStrict(string script)
    {
        var text = Repository.Read(script);

        Assert.StartsWith("#!/usr/bin/env bash\n", text, StringComparison.Ordinal);
        Assert.Contains("\nset -euo pipefail\n", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(Path.Combine(Repository.Root, script)).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable (git update-index --chmod=+x)");
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_EveryRepositoryPathItUsesExists(string script)
    {
        // .kind/ is where the scripts write (kubeconfig, operator log), not an input.
        var paths = RepoPath().Matches(Repository.Read(script)).Select(m => m.Groups[1].Value).Where(p => !p.StartsWith(".kind", StringComparison.Ordinal)).Distinct().ToArray();

        Assert.NotEmpty(paths);
        Assert.All(paths, p => Assert.True(File.Exists(Path.Combine(Repository.Root, p)) || Directory.Exists(Path.Combine(Repository.Root, p)), $"{script} uses $repo/{p}, which does not exist"));
    }

    [Fact]
    public void Setup_FakesGpusTheWayTheSuiteLooksForThem()
    {
        var setup = Repository.Read("deploy/kind/setup.sh");

        // tests/Berth.Kubernetes.E2E/ClusterEnvironment.cs: the marker label, the two products, 8 GPUs per node.
        Assert.Contains("berth.dev/e2e=fake-gpu", setup, StringComparison.Ordinal);
        Assert.Contains("fake_gpus \"${workers[0]}\" NVIDIA-A100-SXM4-80GB", setup, StringComparison.Ordinal);
        Assert.Contains("fake_gpus \"${workers[1]}\" NVIDIA-A100-SXM4-80GB", setup, StringComparison.Ordinal);
        Assert.Contains("fake_gpus \"${workers[2]}\" NVIDIA-H100-80GB-HBM3", setup, StringComparison.Ordinal);
        Assert.Contains("gpus_per_node=8", setup, StringComparison.Ordinal);
        Assert.Contains("--subresource=status", setup, StringComparison.Ordinal);
        Assert.Contains("/status/allocatable/nvidia.com~1gpu", setup, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\$repo/([A-Za-z0-9_./-]+[A-Za-z0-9_])")]
    private static partial Regex RepoPath();
}
