using System.Diagnostics;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth</c> as a .NET tool: packs the already-built Berth.Cli (no rebuild), installs it into a temporary
/// tool path from that package alone (no feed, no global NuGet cache) and runs the installed command.
/// </summary>
public sealed class ToolPackageTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [Fact]
    public void Pack_InstallIntoToolPath_InstalledBerthRuns()
    {
        var repo = RepositoryRoot();
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        using var dir = new TempDir();
        var packages = dir.Combine("packages");
        var config = dir.File("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        var pack = Dotnet(repo, dir, "pack", "src/Berth.Cli", "--no-build", "-c", configuration, "-o", packages, "-p:VersionSuffix=test", "--nologo");
        Assert.True(pack.Code == 0, pack.Output);
        Assert.Single(Directory.GetFiles(packages, "Berth.Cli.*.nupkg"));

        var install = Dotnet(repo, dir, "tool", "install", "Berth.Cli", "--tool-path", dir.Combine("tools"), "--configfile", config, "--version", "0.1.0-test");
        Assert.True(install.Code == 0, install.Output);

        var berth = Run(Path.Combine(dir.Combine("tools"), "berth"), repo, dir, "--version");
        Assert.True(berth.Code == 0, berth.Output);
        // The package holds the build under test: the same version as this process's Berth.Cli.
        Assert.Equal(BerthCli.Version, berth.Output.Trim().Split('\n')[^1].Split('+')[0]);
    }

    private static (int Code, string Output) Dotnet(string repo, TempDir dir, params string[] args) => Run("dotnet", repo, dir, args);

    private static (int Code, string Output) Run(string file, string repo, TempDir dir, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing lands in the user's NuGet cache, and nothing stale comes out of it.
        start.Environment["NUGET_PACKAGES"] = dir.Combine("nuget-cache");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} {string.Join(' ', args)}: still running after {Limit.TotalMinutes} min");
        }

        return (process.ExitCode, $"{file} {string.Join(' ', args)}\n{stdout.Result}{stderr.Result}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Berth.slnx not found above the test's folder");
    }
}
