using System.CommandLine;
using System.Net.Sockets;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Snapshots;
using Berth.Simulation.Input;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth snapshot</c>: 1. check the options and connect (kubeconfig or in-cluster); 2. list every kind Berth
/// reads once, page by page; 3. write the snapshot file (to a temporary name, then moved into place);
/// 4. print what it holds. Nothing on the cluster is changed.
/// </summary>
internal sealed class SnapshotCommand
{
    public const string DefaultFile = "snapshot.json";

    private readonly CliTerminal _terminal;

    private readonly Option<string?> _kubeconfig = new("--kubeconfig") { Description = "Kubeconfig file (default: in-cluster config inside a pod, else $KUBECONFIG or ~/.kube/config).", HelpName = "file" };

    private readonly Option<string?> _context = new("--context") { Description = "Kubeconfig context to use.", HelpName = "name" };

    private readonly Option<string?> _output = new("--output", "-o") { Description = $"File to write (JSON; see docs/FORMATS.md), replaced if it exists. Default: ./{DefaultFile}.", HelpName = "file" };

    private SnapshotCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var handler = new SnapshotCommand(terminal);
        var command = new Command("snapshot", "Write the cluster, queues and pending work of a Kubernetes cluster to a file, to replay with 'berth simulate --snapshot'.")
        {
            handler._kubeconfig, handler._context, handler._output,
        };
        command.SetAction(handler.Execute);
        return command.WithExamples("""
            berth snapshot -o prod.json
                list nodes, pods, Jobs, PriorityClasses and Berth's Queues, Cohorts, Flavors and PodGroups once
            berth simulate --snapshot prod.json --profiles fair-share,fair-share+backfill --set-quota team-a/a100/gpu=32
                what-if: when would each pending workload start with team-a's quota raised to 32 GPUs

            Only reads (list); needs the RBAC of deploy/rbac.yaml or a read-only role on the same kinds.
            Exit codes: 0 written; 2 bad options or kubeconfig; 3 API server unreachable or refused (nothing written); 1 unexpected failure.
            """);
    }

    private int Execute(ParseResult parse)
    {
        // 1. Options and connection.
        var path = parse.GetValue(_output) ?? DefaultFile;
        if (path.Trim().Length == 0)
        {
            throw new InputException("--output: the file name is empty");
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new InputException($"--output {path}: is a folder; give a file name such as {Path.Combine(path, DefaultFile)}");
        }

        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new InputException($"--output {path}: folder {folder} does not exist; create it first");
        }

        var settings = new OperatorSettings { Kubeconfig = parse.GetValue(_kubeconfig), Context = parse.GetValue(_context) };
        if (settings.Kubeconfig is { } kubeconfig && !File.Exists(kubeconfig))
        {
            throw new InputException($"--kubeconfig {kubeconfig}: file not found");
        }

        IKubernetes client;
        string context;
        try
        {
            context = settings.Context
                ?? (settings.Kubeconfig is null && KubernetesClientConfiguration.IsInCluster() ? "in-cluster" : KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.Kubeconfig).CurrentContext);
            client = OperatorHost.Connect(settings);
        }
        catch (KubeConfigException e)
        {
            throw new InputException($"kubeconfig: {e.Message}; check --kubeconfig and --context", e);
        }

        // 2. List.
        var server = client.BaseUri?.ToString();
        Berth.Kubernetes.Controller.ClusterSnapshot snapshot;
        IReadOnlyList<string> warnings;
        try
        {
            (snapshot, warnings) = SnapshotCapture.CaptureAsync(client, TimeProvider.System, _terminal.Cancellation).GetAwaiter().GetResult();
        }
        catch (Exception e) when (Unreachable(e) is { } reason && !_terminal.Cancellation.IsCancellationRequested)
        {
            _terminal.Error.WriteLine($"error: could not read the cluster at {server ?? "(no server)"}: {reason}");
            _terminal.Error.WriteLine("Check the kubeconfig (--kubeconfig, --context), that the API server is up, and that you may list nodes, pods, jobs, priorityclasses and berth.dev objects. Nothing was written.");
            return ExitCodes.Unreachable;
        }
        finally
        {
            client.Dispose();
        }

        // 3. Write, then move into place.
        var source = new SnapshotSource { Server = server, Context = context, BerthVersion = BerthCli.Version, Warnings = warnings };
        var staging = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            SnapshotFile.Write(staging, snapshot, source);
            File.Move(staging, full, overwrite: true);
        }
        finally
        {
            File.Delete(staging);
        }

        // 4. Summary.
        foreach (var warning in warnings)
        {
            _terminal.Out.WriteLine($"warning: {warning}");
        }

        var summary = SnapshotSummary.Of(snapshot);
        _terminal.Out.WriteLine($"Snapshot of {context} ({server}): {summary}.");
        _terminal.Out.WriteLine($"Wrote {full}");
        _terminal.Out.WriteLine($"Try a change before rolling it out: berth simulate --snapshot {path} --profiles fair-share,fair-share+backfill");
        return ExitCodes.Success;
    }

    /// <summary>Why the API server could not be read, or null for an error that is not about reaching it.</summary>
    private static string? Unreachable(Exception e) => e switch
    {
        HttpOperationException http => $"the API server answered {(int)http.Response.StatusCode} {http.Response.StatusCode} ({http.Response.ReasonPhrase ?? "no reason"})",
        HttpRequestException request => request.InnerException is SocketException socket ? $"{request.Message} ({socket.SocketErrorCode})" : request.Message,
        TaskCanceledException => "the request timed out",
        System.Security.Authentication.AuthenticationException auth => $"TLS: {auth.Message}",
        _ => null,
    };
}
