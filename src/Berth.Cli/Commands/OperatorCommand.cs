using System.CommandLine;
using System.Globalization;
using Berth.Engine.Admission;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Telemetry;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth operator</c>: runs Berth inside a Kubernetes cluster as the scheduler of pods with
/// <c>schedulerName: berth</c> and the admission controller of queued Jobs, until stopped.
/// </summary>
internal sealed class OperatorCommand
{
    private readonly CliTerminal _terminal;

    private readonly Option<string?> _kubeconfig = new("--kubeconfig") { Description = "Kubeconfig file (default: in-cluster config inside a pod, else $KUBECONFIG or ~/.kube/config).", HelpName = "file" };

    private readonly Option<string?> _context = new("--context") { Description = "Kubeconfig context to use.", HelpName = "name" };

    private readonly Option<string> _profile = new("--profile") { Description = "Admission profile: strict-fifo, besteffort-fifo, fair-share, fair-share+backfill, each optionally +preemption (default fair-share+backfill+preemption).", HelpName = "name", DefaultValueFactory = _ => "fair-share+backfill+preemption" };

    private readonly Option<string> _servingPriorityClass = new("--serving-priority-class") { Description = "PriorityClass for serving replicas (pods of a queued Deployment or StatefulSet, groups of a queued LeaderWorkerSet) whose template names none; empty: their own priority.", HelpName = "class", DefaultValueFactory = _ => Berth.Kubernetes.Translation.ServingWorkloads.DefaultPriorityClass };
    private readonly Option<string?> _defaultQueue = new("--default-queue") { Description = "Queue for pods with schedulerName berth that carry no queue label (default: none; they wait with reason QueueMissing).", HelpName = "queue" };

    private readonly Option<bool> _leaderElect = new("--leader-elect") { Description = "Take part in leader election on a Lease; only the leader decides (use with more than one replica)." };

    private readonly Option<string> _leaseNamespace = new("--lease-namespace") { Description = "Namespace of the Lease (default berth-system).", HelpName = "ns", DefaultValueFactory = _ => "berth-system" };

    private readonly Option<string?> _identity = new("--identity") { Description = "This replica's name on the Lease; must differ between replicas (default: host name and process id).", HelpName = "name" };

    private readonly Option<string> _leaseDuration = new("--lease-duration") { Description = "How long a Lease not renewed keeps the other replicas waiting, i.e. the longest hand-over after a crash (default 15s).", HelpName = "duration", DefaultValueFactory = _ => "15s" };

    private readonly Option<string> _renewDeadline = new("--renew-deadline") { Description = "The leader stops deciding when it could not renew the Lease this long; shorter than --lease-duration (default 10s).", HelpName = "duration", DefaultValueFactory = _ => "10s" };

    private readonly Option<string> _retryPeriod = new("--retry-period") { Description = "How often replicas try to take or renew the Lease; shorter than --renew-deadline (default 2s; 500ms style allowed).", HelpName = "duration", DefaultValueFactory = _ => "2s" };

    private readonly Option<int> _metricsPort = new("--metrics-port") { Description = "HTTPS port of /metrics, for callers the API server authenticates and authorizes (get on the non-resource URL /metrics) (default 8443).", HelpName = "port", DefaultValueFactory = _ => 8443 };

    private readonly Option<int> _probePort = new("--probe-port") { Description = "Plain HTTP port of /healthz and /readyz (default 8081).", HelpName = "port", DefaultValueFactory = _ => 8081 };

    private readonly Option<int> _webhookPort = new("--webhook-port") { Description = "HTTPS port of the admission webhook, /mutate and /validate (default 9443; -1: no webhook).", HelpName = "port", DefaultValueFactory = _ => 9443 };

    private readonly Option<int> _dashboardPort = new("--dashboard-port") { Description = "HTTPS port of the read-only dashboard (/ui) and its API with the visibility API of pending workloads (/api/v1), for viewers the API server authenticates and authorizes (default 8444; -1: not served).", HelpName = "port", DefaultValueFactory = _ => 8444 };

    private readonly Option<string> _webhookConfiguration = new("--webhook-configuration") { Description = "Name of Berth's MutatingWebhookConfiguration and ValidatingWebhookConfiguration, whose caBundle Berth fills with its own CA (default berth).", HelpName = "name", DefaultValueFactory = _ => "berth" };

    private readonly Option<string> _webhookService = new("--webhook-service") { Description = "The Service in front of the webhook; its DNS names go into Berth's own certificate (default berth-webhook).", HelpName = "name", DefaultValueFactory = _ => "berth-webhook" };

    private readonly Option<string?> _certDir = new("--cert-dir") { Description = "Directory with tls.crt and tls.key (cert-manager's Secret); when absent or empty Berth keeps its own certificate in Secret berth-webhook-tls and patches the caBundle.", HelpName = "dir" };

    private readonly Option<string> _resync = new("--resync") { Description = "Decide at least this often with nothing changed (default 30s).", HelpName = "duration", DefaultValueFactory = _ => "30s" };

    private readonly Option<string?> _podsReadyTimeout = new("--pods-ready-timeout") { Description = "Requeue a Job or PodGroup whose pods are not all ready this long after admission, with exponential backoff (1m, doubling; failed after 3). Default: off.", HelpName = "duration" };

    private readonly Option<string?> _prometheusUrl = new("--prometheus-url") { Description = "Read GPU activity per pod from this Prometheus server (scraping NVIDIA's DCGM exporter), for queues' idleGpus policies. Default: none (activity unknown, nothing is ever idle).", HelpName = "url" };

    private readonly Option<string?> _prometheusTokenFile = new("--prometheus-token-file") { Description = "File with a bearer token for Prometheus, read again on every query (default: no Authorization header).", HelpName = "file" };

    private readonly Option<string> _telemetryInterval = new("--telemetry-interval") { Description = "How often GPU activity is read from Prometheus (default 30s).", HelpName = "duration", DefaultValueFactory = _ => "30s" };

    private readonly Option<string> _telemetryQuery = new("--telemetry-query") { Description = $"PromQL instant query giving a 0..1 activity per pod with namespace and pod labels, and per GPU with Hostname and gpu (default {TelemetryOptions.DefaultQuery}).", HelpName = "promql", DefaultValueFactory = _ => TelemetryOptions.DefaultQuery };

    private readonly Option<double> _telemetryScale = new("--telemetry-scale") { Description = "Factor that turns the query's values into 0..1 (default 1; 0.01 for DCGM_FI_DEV_GPU_UTIL, a percentage).", HelpName = "factor", DefaultValueFactory = _ => 1 };

    private readonly Option<string> _telemetryMaxAge = new("--telemetry-max-age") { Description = "Samples older than this are ignored (activity unknown, never idle) (default 2m).", HelpName = "duration", DefaultValueFactory = _ => "2m" };

    private readonly Option<string> _healthQuery = new("--health-query") { Description = "PromQL instant query for DCGM's GPU error fields (XID, ECC, NVLink, row remap) per GPU with Hostname and gpu labels; 'none': GPU health is not read (default: the four fields by name).", HelpName = "promql", DefaultValueFactory = _ => TelemetryOptions.DefaultHealthQuery };

    private readonly Option<int> _recoverAfter = new("--gpu-recover-after") { Description = "Health reads in a row without a new error before a GPU marked unhealthy is used again (default 10).", HelpName = "reads", DefaultValueFactory = _ => 10 };

    private readonly Option<string[]> _gpuPrice = new("--gpu-price") { Description = "Showback: what one GPU-hour of a GPU model costs, MODEL=PRICE, comma-separated or repeated (--gpu-price A100=2.5,H100=4). Default: none (GPU-hours without costs).", HelpName = "model=price" };

    private readonly Option<string> _currency = new("--currency") { Description = "Showback: the currency of --gpu-price (default USD).", HelpName = "code", DefaultValueFactory = _ => "USD" };

    private readonly Option<bool> _plainLogs = new("--plain-logs") { Description = "Human-readable log lines instead of JSON." };

    private OperatorCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var handler = new OperatorCommand(terminal);
        var command = new Command("operator", "Run Berth in a Kubernetes cluster: schedule pods with schedulerName berth as gangs, admit queued Jobs, preempt, and serve /metrics and a read-only dashboard.")
        {
            handler._kubeconfig, handler._context, handler._profile, handler._defaultQueue, handler._servingPriorityClass, handler._leaderElect, handler._leaseNamespace, handler._identity, handler._leaseDuration, handler._renewDeadline, handler._retryPeriod, handler._metricsPort, handler._probePort, handler._webhookPort, handler._dashboardPort, handler._certDir, handler._webhookConfiguration, handler._webhookService, handler._resync, handler._podsReadyTimeout,
            handler._prometheusUrl, handler._prometheusTokenFile, handler._telemetryInterval, handler._telemetryQuery, handler._telemetryScale, handler._telemetryMaxAge, handler._healthQuery, handler._recoverAfter, handler._gpuPrice, handler._currency, handler._plainLogs,
        };
        command.SetAction(handler.Execute);
        return command.WithExamples("""
            berth operator --kubeconfig ~/.kube/config --plain-logs
                run against the cluster of your kubeconfig from a workstation (one replica)
            berth operator --leader-elect
                what deploy/operator.yaml runs in the cluster: in-cluster config, two replicas, one leads
            berth operator --leader-elect --prometheus-url http://prometheus.monitoring:9090 --telemetry-interval 30s
                also read GPU activity per pod (DCGM exporter through Prometheus) for queues with spec.idleGpus

            Install the CRDs and RBAC first: kubectl apply -f deploy/crds/ -f deploy/rbac.yaml (docs/KUBERNETES.md).
            Exit codes: 0 stopped cleanly (Ctrl+C or SIGTERM); 2 bad options or no usable kubeconfig; 1 unexpected failure.
            """);
    }

    /// <summary>The price table of <c>--gpu-price</c> and <c>--currency</c>; null without prices. Bad values are refused naming the flag.</summary>
    private Berth.Runtime.Yield.PriceTable? Prices(ParseResult parse)
    {
        var entries = (parse.GetValue(_gpuPrice) ?? []).SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (entries.Length == 0)
        {
            return parse.GetResult(_currency) is { Implicit: false } ? throw new InputException("--currency needs --gpu-price: give the price of a GPU-hour per model (--gpu-price A100=2.5), or leave --currency out") : null;
        }

        var perHour = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !double.TryParse(entry.AsSpan(equals + 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var price))
            {
                throw new InputException($"--gpu-price '{entry}': give MODEL=PRICE, the GPU model as nodes name it and the price of one GPU-hour, such as A100=2.5");
            }

            perHour[entry[..equals]] = price;
        }

        var table = new Berth.Runtime.Yield.PriceTable(parse.GetValue(_currency)!, perHour);
        try
        {
            table.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InputException("--gpu-price/--currency: " + e.Message, e);
        }

        return table;
    }

    /// <summary>The telemetry options the flags give; null without <c>--prometheus-url</c>. Bad values are refused naming the flag.</summary>
    private TelemetryOptions? Telemetry(ParseResult parse)
    {
        var url = parse.GetValue(_prometheusUrl);
        if (url is null)
        {
            foreach (var option in new Option[] { _prometheusTokenFile, _telemetryInterval, _telemetryQuery, _telemetryScale, _telemetryMaxAge, _healthQuery, _recoverAfter })
            {
                if (parse.GetResult(option) is { Implicit: false })
                {
                    throw new InputException($"{option.Name} needs --prometheus-url: give the Prometheus server to read GPU activity from, or leave {option.Name} out");
                }
            }

            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InputException($"--prometheus-url '{url}': give an absolute http(s) URL such as http://prometheus.monitoring:9090");
        }

        var tokenFile = parse.GetValue(_prometheusTokenFile);
        if (tokenFile is not null && !File.Exists(tokenFile))
        {
            throw new InputException($"--prometheus-token-file {tokenFile}: file not found; give the path of a file holding the bearer token, or leave the flag out");
        }

        var durations = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var (option, name) in new[] { (_telemetryInterval, "--telemetry-interval"), (_telemetryMaxAge, "--telemetry-max-age") })
        {
            var text = parse.GetValue(option)!;
            if (!ScenarioUnits.TryParseDuration(text, out var value) || value <= TimeSpan.Zero)
            {
                throw new InputException($"{name} '{text}': give a positive duration such as 30s or 2m");
            }

            durations[name] = value;
        }

        var scale = parse.GetValue(_telemetryScale);
        if (!(scale > 0) || double.IsInfinity(scale))
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--telemetry-scale {scale}: give a positive factor that turns a value into 0..1 (1, or 0.01 for a percentage)"));
        }

        var query = parse.GetValue(_telemetryQuery)!;
        if (string.IsNullOrWhiteSpace(query))
        {
            throw new InputException($"--telemetry-query is empty; leave it out for the default, {TelemetryOptions.DefaultQuery}");
        }

        var health = parse.GetValue(_healthQuery)!;
        if (string.IsNullOrWhiteSpace(health))
        {
            throw new InputException($"--health-query is empty; leave it out for the default, or give 'none' to read no GPU health");
        }

        var recoverAfter = parse.GetValue(_recoverAfter);
        if (recoverAfter < 1)
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--gpu-recover-after {recoverAfter}: give the number of clean health reads before a GPU is used again, at least 1"));
        }

        return new TelemetryOptions
        {
            PrometheusUrl = uri,
            HealthQuery = health == "none" ? null : health,
            RecoverAfter = recoverAfter,
            BearerTokenFile = tokenFile,
            Query = query,
            Scale = scale,
            Interval = durations["--telemetry-interval"],
            MaxSampleAge = durations["--telemetry-max-age"],
        };
    }

    private int Execute(ParseResult parse)
    {
        var resyncText = parse.GetValue(_resync)!;
        if (!ScenarioUnits.TryParseDuration(resyncText, out var resync) || resync <= TimeSpan.Zero)
        {
            throw new InputException($"--resync '{resyncText}': give a positive duration such as 30s or 2m");
        }

        TimeSpan? podsReady = null;
        if (parse.GetValue(_podsReadyTimeout) is { } readyText)
        {
            if (!ScenarioUnits.TryParseDuration(readyText, out var ready) || ready <= TimeSpan.Zero)
            {
                throw new InputException($"--pods-ready-timeout '{readyText}': give a positive duration such as 10m");
            }

            podsReady = ready;
        }

        var leaseDuration = LeaseTime(parse, _leaseDuration);
        var renewDeadline = LeaseTime(parse, _renewDeadline);
        var retryPeriod = LeaseTime(parse, _retryPeriod);
        if (renewDeadline >= leaseDuration)
        {
            throw new InputException($"--renew-deadline {parse.GetValue(_renewDeadline)}: must be shorter than --lease-duration {parse.GetValue(_leaseDuration)}, or a replica could still decide after another took the Lease");
        }

        // client-go's rule (the elector jitters the retry period by up to 1.2 times).
        if (retryPeriod.Ticks * 12 / 10 >= renewDeadline.Ticks)
        {
            throw new InputException($"--retry-period {parse.GetValue(_retryPeriod)}: must be shorter than --renew-deadline {parse.GetValue(_renewDeadline)} divided by 1.2, or the leader misses its own renewals");
        }

        var identity = parse.GetValue(_identity);
        if (identity is not null && string.IsNullOrWhiteSpace(identity))
        {
            throw new InputException("--identity: give a non-empty name, different for each replica, or leave it out");
        }

        var telemetry = Telemetry(parse);
        var port = parse.GetValue(_metricsPort);
        var probePort = parse.GetValue(_probePort);
        var webhookPort = parse.GetValue(_webhookPort);
        var dashboardPort = parse.GetValue(_dashboardPort);
        foreach (var (name, value) in new[] { ("--metrics-port", port), ("--probe-port", probePort), ("--webhook-port", webhookPort == -1 ? 0 : webhookPort), ("--dashboard-port", dashboardPort == -1 ? 0 : dashboardPort) })
        {
            if (value is < 0 or > 65535)
            {
                throw new InputException(string.Create(CultureInfo.InvariantCulture, $"{name} {value}: give a port between 0 and 65535"));
            }
        }

        var settings = new OperatorSettings
        {
            Kubeconfig = parse.GetValue(_kubeconfig),
            Context = parse.GetValue(_context),
            LeaderElect = parse.GetValue(_leaderElect),
            LeaseNamespace = parse.GetValue(_leaseNamespace)!,
            Identity = identity ?? new OperatorSettings().Identity,
            LeaseDuration = leaseDuration,
            RenewDeadline = renewDeadline,
            RetryPeriod = retryPeriod,
            MetricsPort = port,
            ProbePort = probePort,
            WebhookPort = webhookPort == -1 ? null : webhookPort,
            DashboardPort = dashboardPort == -1 ? null : dashboardPort,
            CertificateDirectory = parse.GetValue(_certDir),
            WebhookConfigurationName = parse.GetValue(_webhookConfiguration)!,
            ServiceName = parse.GetValue(_webhookService)!,
            Telemetry = telemetry,
            Prices = Prices(parse),
            Controller = new ControllerOptions { Profile = parse.GetValue(_profile)!, DefaultQueue = parse.GetValue(_defaultQueue), ServingPriorityClass = parse.GetValue(_servingPriorityClass), Resync = resync, PodsReadyTimeout = podsReady },
        };
        var profile = settings.Controller.Profile;
        if (!AdmissionProfiles.IsKnown(profile) || profile == "kube-default")
        {
            throw new InputException($"--profile '{profile}': not a profile Berth can run on a cluster; use one of: {string.Join(", ", AdmissionProfiles.Names.Where(n => n != "kube-default"))}");
        }

        settings.Controller.ToAdmissionOptions();
        if (settings.Kubeconfig is { } kubeconfig && !File.Exists(kubeconfig))
        {
            // The same mistake gets the same answer as in 'berth snapshot': bad input, exit 2.
            throw new InputException($"--kubeconfig {kubeconfig}: file not found; give the path of a kubeconfig file, or leave --kubeconfig out to use $KUBECONFIG, ~/.kube/config or the in-cluster config");
        }

        k8s.IKubernetes client;
        try
        {
            client = OperatorHost.Connect(settings);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or IOException)
        {
            throw new InputException($"no usable Kubernetes configuration: {e.Message}; give --kubeconfig FILE (and --context), set KUBECONFIG, or run inside a pod", e);
        }

        var host = OperatorHost.Create(settings, client, TimeProvider.System, jsonLogs: !parse.GetValue(_plainLogs));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_terminal.Cancellation);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            host.RunAsync(stop.Token).GetAwaiter().GetResult();
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return ExitCodes.Success;
    }

    /// <summary>A lease timing: a duration as elsewhere (<c>15s</c>, <c>1m</c>), or whole milliseconds (<c>500ms</c>) for fast hand-over in tests.</summary>
    private static TimeSpan LeaseTime(ParseResult parse, Option<string> option)
    {
        var text = parse.GetValue(option)!;
        var value = TimeSpan.Zero;
        var ok = text.EndsWith("ms", StringComparison.Ordinal)
            ? int.TryParse(text.AsSpan(0, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && (value = TimeSpan.FromMilliseconds(ms)) > TimeSpan.Zero
            : ScenarioUnits.TryParseDuration(text, out value) && value > TimeSpan.Zero;
        return ok ? value : throw new InputException($"{option.Name} '{text}': give a positive duration such as 15s, 2m or 500ms");
    }
}
