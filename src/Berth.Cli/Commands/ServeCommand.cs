using System.CommandLine;
using System.Globalization;
using System.Net;
using Berth.Server;
using Berth.Server.Demo;
using Berth.Server.Loop;
using Berth.Server.Store;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth serve</c>: the embedded server, one process. The CLI reads the configuration (the cluster and queueing
/// sections of a scenario file) and hands the server the nodes and the queue configuration: the server never reads
/// YAML itself.
/// </summary>
internal sealed class ServeCommand
{
    private readonly CliTerminal _terminal;

    private readonly Option<string> _data = new("--data") { Description = "Directory of the database (berth.db, SQLite) and admin.token (default ./berth-data).", HelpName = "dir", DefaultValueFactory = _ => "berth-data" };

    private readonly Option<string?> _config = new("--config") { Description = "Nodes, flavors, cohorts, queues and priority classes, in the format of a scenario file (its cluster and queueing sections). Default: the demo cluster.", HelpName = "file" };

    private readonly Option<int> _port = new("--port") { Description = "TCP port (default 8080; 0: any free port).", HelpName = "port", DefaultValueFactory = _ => 8080 };

    private readonly Option<string> _listen = new("--listen") { Description = "Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for every interface).", HelpName = "addr", DefaultValueFactory = _ => "127.0.0.1" };

    private readonly Option<bool> _demo = new("--demo") { Description = "Start with the demo cluster (8 simulated nodes, 64 GPUs, 3 queues) and a steady stream of demo jobs; the clock runs 30x unless --time-scale says otherwise." };

    private readonly Option<double?> _timeScale = new("--time-scale") { Description = "Run the server's clock N times faster than real time, so simulated jobs end sooner (default 1; 30 with --demo).", HelpName = "N" };

    private readonly Option<bool> _local = new("--local") { Description = "Run jobs as processes on this machine (its GPUs from nvidia-smi, else CPU only; one queue 'default') instead of on simulated nodes; jobs then need a command." };

    private readonly Option<string?> _tlsCert = new("--tls-cert") { Description = "PEM certificate (chain) to serve HTTPS with; needs --tls-key.", HelpName = "file" };

    private readonly Option<string?> _tlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert.", HelpName = "file" };

    private ServeCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var handler = new ServeCommand(terminal);
        var command = new Command("serve", "Run the Berth server: a durable job queue with an HTTP API (/api/v1), on simulated nodes, in one process.")
        {
            handler._data, handler._config, handler._port, handler._listen, handler._demo, handler._timeScale, handler._tlsCert, handler._tlsKey, handler._local,
        };
        command.SetAction(handler.Execute);
        return command.WithExamples("""
            berth serve --demo
                a demo cluster with jobs arriving; prints the URL and, on first start, the admin token
            berth serve --config cluster.yaml --data /var/lib/berth --port 9000
                your nodes and queues (the cluster, flavors, cohorts, queues, priorityClasses sections of a scenario file)

            Then: export BERTH_TOKEN=$(cat berth-data/admin.token); berth submit --queue team-a --gpus 2 --duration 30m; berth jobs
            Exit codes: 0 stopped (Ctrl+C or SIGTERM); 2 bad options, configuration or data directory; 1 unexpected failure.
            """);
    }

    private int Execute(ParseResult parse)
    {
        var demo = parse.GetValue(_demo);
        var scale = parse.GetValue(_timeScale) ?? (demo ? 30 : 1);
        if (!(scale > 0) || double.IsInfinity(scale) || scale > 1_000_000)
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--time-scale {scale}: give a positive number up to 1000000, such as 1 (real time) or 60"));
        }

        var port = parse.GetValue(_port);
        if (port is < 0 or > 65535)
        {
            throw new InputException($"--port {port}: give a port between 0 and 65535");
        }

        var listenText = parse.GetValue(_listen)!;
        if (!IPAddress.TryParse(listenText, out var listen))
        {
            throw new InputException($"--listen '{listenText}' is not an IP address; give 127.0.0.1 (this machine), 0.0.0.0 (every interface) or an address of this machine");
        }

        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null;
        var (certFile, keyFile) = (parse.GetValue(_tlsCert), parse.GetValue(_tlsKey));
        if (certFile is not null || keyFile is not null)
        {
            if (certFile is null || keyFile is null)
            {
                throw new InputException("--tls-cert and --tls-key go together: give both PEM files, or neither for plain HTTP");
            }

            try
            {
                certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certFile, keyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new InputException($"--tls-cert {certFile} --tls-key {keyFile}: cannot load them ({e.Message}); give a PEM certificate and its PEM private key");
            }
        }

        ServerCluster cluster;
        Berth.Runtime.Yield.PriceTable? prices = null;
        Berth.Server.Executors.LocalMachine? machine = null;
        if (parse.GetValue(_local))
        {
            if (parse.GetValue(_config) is not null || demo)
            {
                throw new InputException("--local runs on this machine with its own queue 'default'; leave out --config and --demo");
            }

            machine = Berth.Server.Executors.LocalMachine.Discover();
            cluster = machine.Cluster();
            scale = parse.GetValue(_timeScale) ?? 1;
            if (scale != 1)
            {
                throw new InputException("--time-scale: a local server runs real processes in real time; leave --time-scale out");
            }
        }
        else if (parse.GetValue(_config) is { } file)
        {
            var scenario = ScenarioReader.ReadConfiguration(file);
            cluster = new ServerCluster(scenario.Nodes, scenario.Queues);
            prices = scenario.Prices;
            if (scenario.Workloads.Count > 0)
            {
                _terminal.Error.WriteLine($"note: {file} has {scenario.Workloads.Count} workloads; the server does not submit them (use berth submit)");
            }
        }
        else
        {
            cluster = DemoCluster.Create();
        }

        try
        {
            cluster.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InputException($"--config: {e.Message}");
        }

        var data = parse.GetValue(_data)!;
        BerthServer server;
        try
        {
            server = BerthServer.StartAsync(new ServerOptions
            {
                DataDirectory = Path.GetFullPath(data),
                Cluster = cluster,
                Listen = listen,
                Port = port,
                TimeScale = scale,
                DemoInterval = demo ? TimeSpan.FromSeconds(3) : null,
                Certificate = certificate,
                LocalMachine = machine,
                Prices = prices,
                // nvidia-smi every 10 s: measured activity for idle policies and metrics, ECC errors for GPU health.
                GpuTelemetry = machine is { Node.GpuCount: > 0 } ? new Berth.Server.Telemetry.GpuTelemetryOptions() : null,
            }, _terminal.Cancellation).GetAwaiter().GetResult();
        }
        catch (StoreException e)
        {
            throw new InputException($"--data {data}: {e.Message}");
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"--listen {listen} --port {port}: cannot listen there ({e.Message}); pick another --port, or stop what uses it");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_terminal.Cancellation);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            var gpus = cluster.Nodes.Sum(n => n.GpuCount);
            _terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Berth server on {server.Url} ({(machine is null ? $"{cluster.Nodes.Count} simulated nodes, {gpus} GPUs" : $"this machine: {machine}")}, {cluster.Configuration.Queues.Count} queues; {server.Store.Count} jobs in {Path.Combine(data, ServerStore.FileName)}; clock x{scale:0.###})"));
            var tokenFile = Path.Combine(data, Berth.Server.Access.TokenRegistry.AdminTokenFile);
            if (server.AdminToken is { } token)
            {
                _terminal.Out.WriteLine($"admin token (shown once; kept in {tokenFile}, mode 0600):");
                _terminal.Out.WriteLine($"  {token}");
            }
            else
            {
                _terminal.Out.WriteLine($"admin token: in {tokenFile}");
            }

            _terminal.Out.WriteLine($"dashboard: {server.Url}ui/ (paste the admin token, or a token from berth token create, when it asks)");
            _terminal.Out.WriteLine($"try: export BERTH_SERVER={server.Url.ToString().TrimEnd('/')} BERTH_TOKEN=$(cat {tokenFile}); berth jobs");
            _terminal.Out.WriteLine("Ctrl+C stops it; everything accepted is kept in the data directory.");
            _terminal.Out.Flush();
            try
            {
                Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return ExitCodes.Success;
    }
}
