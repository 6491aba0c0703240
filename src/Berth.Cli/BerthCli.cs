using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using Berth.Cli.Commands;
using Berth.Simulation.Input;

namespace Berth.Cli;

/// <summary>
/// The <c>berth</c> command, callable in-process: parses <c>args</c>, runs the command and maps the outcome to
/// an exit code. Bad input and usage give <see cref="ExitCodes.BadInput"/> with <c>error: message</c> on the
/// error writer; anything unexpected gives <see cref="ExitCodes.Failure"/>.
/// </summary>
public static class BerthCli
{
    public static string Version { get; } =
        typeof(BerthCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(BerthCli).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    /// <param name="interactive">True when <paramref name="output"/> is a terminal a person watches (live progress, colours).</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default, bool interactive = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var terminal = new CliTerminal(output, error, interactive, cancellation);
        try
        {
            return Guard(() =>
            {
                var root = CreateRoot(terminal);
                var parse = root.Parse(args);
                if (parse.Errors.Count > 0 && !HelpExamples.IsHelp(parse.Action))
                {
                    foreach (var problem in parse.Errors)
                    {
                        error.WriteLine($"error: {problem.Message}");
                    }

                    error.WriteLine($"Run '{HelpHint(parse)}' for the options and examples.");
                    return ExitCodes.BadInput;
                }

                return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
            }, error, cancellation);
        }
        finally
        {
            output.Flush();
            error.Flush();
        }
    }

    /// <summary>
    /// The exit-code policy (<see cref="ExitCodes.Policy"/>) for exceptions: runs <paramref name="body"/> and maps
    /// what it throws. Only Berth's own <see cref="InputException"/> is bad input (2): an ArgumentException or any
    /// other exception from deeper down is a bug, a check the CLI should have made with a clear message, and is
    /// reported as an unexpected failure (1).
    /// </summary>
    internal static int Guard(Func<int> body, TextWriter error, CancellationToken cancellation)
    {
        try
        {
            return body();
        }
        catch (InputException e)
        {
            error.WriteLine($"error: {PrintableText.Of(e.Message, 2000)}");
            return ExitCodes.BadInput;
        }
        catch (Berth.Kubernetes.Snapshots.SnapshotFileException e)
        {
            error.WriteLine($"error: {PrintableText.Of(e.Message, 2000)}");
            return ExitCodes.BadInput;
        }
        catch (Remote.ServerRefusedException e)
        {
            error.WriteLine($"error: {PrintableText.Of(e.Message, 2000)}");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine("cancelled; nothing was written");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            error.WriteLine($"error: unexpected {e.GetType().Name}: {PrintableText.Of(e.Message, 2000)}");
            if (Environment.GetEnvironmentVariable("BERTH_DEBUG") is { Length: > 0 })
            {
                error.WriteLine(e);
            }
            else
            {
                error.WriteLine("This is a bug in berth: please report it. Set BERTH_DEBUG=1 for the stack trace.");
            }

            return ExitCodes.Failure;
        }
    }

    internal static RootCommand CreateRoot(CliTerminal terminal)
    {
        var root = new RootCommand("""
            Berth: GPU-cluster scheduling, simulated. Compare placement policies (FGD, best-fit, packing, ...)
            on real traces or generated workloads, and get a report with tables and charts.
            Run 'berth <command> --help' for a command's options and examples.
            """)
        {
            SimulateCommand.Create(terminal),
            ExplainCommand.Create(terminal),
            GenerateCommand.Create(terminal),
            PoliciesCommand.Create(terminal),
            OperatorCommand.Create(terminal),
            SnapshotCommand.Create(terminal),
            DataCommand.Create(terminal),
            ImportCommand.Create(terminal),
            ServeCommand.Create(terminal),
            SubmitCommand.Create(terminal),
            JobsCommand.Create(terminal),
            DescribeCommand.Create(terminal),
            ReportCommand.Create(terminal),
            JobActionCommand.Cancel(terminal),
            JobActionCommand.Hold(terminal),
            JobActionCommand.Release(terminal),
            QueuesCommand.Create(terminal),
            NodesCommand.Create(terminal),
            LogsCommand.Create(terminal),
            NodeActionCommand.Cordon(terminal),
            NodeActionCommand.Uncordon(terminal),
            NodeActionCommand.Drain(terminal),
            TokenCommand.Create(terminal),
            VersionCommand.Create(terminal),
        };
        root.WithExamples($$"""
            berth simulate --demo                  try it: a generated cluster, every policy, 3 seeds
            berth policies                         what each placement policy does
            berth simulate --nodes openb_node_list_gpu_node.csv --pods openb_pod_list_default.csv --policies fgd,bestfit --seeds 42-51 --out results
            berth generate --out scenario          write a cluster.yaml and workload.yaml to edit
            berth data fetch openb                 download the openb trace (and its licence) into ./berth-data/openb
            berth import kueue queues.yaml         turn Kueue ClusterQueues, LocalQueues, flavors, cohorts into a scenario's queues
            berth snapshot -o prod.json            save a Kubernetes cluster's nodes, queues and work, then:
            berth simulate --snapshot prod.json --set-quota team-a/a100/gpu=32    what if team-a had 32 GPUs?
            berth serve --demo                     the Berth server on simulated nodes, with demo jobs; then:
            berth submit --queue team-a --gpus 2 --duration 30m    and berth jobs, berth describe job ID, berth queues, berth nodes

            {{ExitCodes.Policy}}
            """);
        HelpExamples.Install(root);

        // 'berth' alone prints the help, like kubectl.
        root.SetAction(parse => parse.RootCommandResult.Command.Options.OfType<HelpOption>().Single().Action is SynchronousCommandLineAction help
            ? help.Invoke(parse)
            : ExitCodes.Success);
        return root;
    }

    /// <summary>The command line as typed, for the report (arguments with spaces quoted).</summary>
    internal static string CommandLine(ParseResult parse) =>
        "berth " + string.Join(' ', parse.Tokens.Select(t => t.Value.Any(char.IsWhiteSpace) ? $"\"{t.Value}\"" : t.Value));

    private static string HelpHint(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command is not RootCommand)
            {
                names.Insert(0, result.Command.Name);
            }
        }

        return string.Join(' ', ["berth", .. names, "--help"]);
    }
}
