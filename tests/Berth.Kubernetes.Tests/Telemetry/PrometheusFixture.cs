using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Kubernetes.Tests.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Tests.Telemetry;

/// <summary>
/// A real Prometheus server (Debian's package, /usr/bin/prometheus) on loopback with a temporary config and storage,
/// scraping a test exporter (Kestrel) that serves <see cref="DcgmExporter.Metrics"/> every second. When the binary is
/// missing the fixture runs scripts/install-prometheus.sh (apt-get; CI runs as root). The server is killed on dispose.
/// </summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "berth-prometheus-" + Environment.ProcessId + "-" + Path.GetRandomFileName());
    private WebApplication? _exporter;
    private Process? _prometheus;

    /// <summary>The Prometheus server's base URL.</summary>
    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        EnsurePrometheus();
        Directory.CreateDirectory(_directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _exporter = builder.Build();
        _exporter.MapGet("/metrics", () => Results.Text(DcgmExporter.Metrics, "text/plain; version=0.0.4; charset=utf-8"));
        await _exporter.StartAsync();
        var exporter = new Uri(_exporter.Urls.Single());

        var port = FreePort();
        var config = Path.Combine(_directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: dcgm
                static_configs:
                  - targets: ['127.0.0.1:{exporter.Port}']
            """);
        var start = new ProcessStartInfo(Binary,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_directory, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _prometheus = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Binary}");
        _prometheus.ErrorDataReceived += (_, _) => { };
        _prometheus.OutputDataReceived += (_, _) => { };
        _prometheus.BeginErrorReadLine();
        _prometheus.BeginOutputReadLine();
        Url = new Uri($"http://127.0.0.1:{port}");

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_prometheus.HasExited)
            {
                throw new InvalidOperationException($"{Binary} exited with {_prometheus.ExitCode} before it was ready");
            }

            try
            {
                if ((await http.GetAsync(new Uri(Url, "/-/ready"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Binary} was not ready on {Url} within 20 s");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill(entireProcessTree: true);
            await _prometheus.WaitForExitAsync();
        }

        _prometheus?.Dispose();
        if (_exporter is not null)
        {
            await _exporter.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void EnsurePrometheus()
    {
        if (File.Exists(Binary))
        {
            return;
        }

        var script = Path.Combine(Repository.Root, "scripts", "install-prometheus.sh");
        using var install = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"could not start {script}");
        var output = install.StandardOutput.ReadToEndAsync();
        var error = install.StandardError.ReadToEnd();
        install.WaitForExit();
        if (install.ExitCode != 0 || !File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing and {script} failed (exit {install.ExitCode}): {error}{output.Result}");
        }
    }
}
