using System.Diagnostics;
using Microsoft.Playwright;

namespace Berth.Web.BrowserTests;

/// <summary>
/// One headless Debian chromium for the whole test run, driven by Playwright. When /usr/bin/chromium is
/// missing the fixture runs scripts/install-browser.sh (apt-get; CI runs as root), so that `dotnet test
/// Berth.slnx` alone is enough on a fresh machine. Playwright never downloads a browser build here.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        EnsureChromium();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static void EnsureChromium()
    {
        if (File.Exists(Chromium))
        {
            return;
        }

        var script = Path.Combine(Repository.Root, "scripts", "install-browser.sh");
        using var install = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"could not start {script}");
        var output = install.StandardOutput.ReadToEndAsync();
        var error = install.StandardError.ReadToEnd();
        install.WaitForExit();
        if (install.ExitCode != 0 || !File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing and {script} failed (exit {install.ExitCode}): {error}{output.Result}");
        }
    }
}
