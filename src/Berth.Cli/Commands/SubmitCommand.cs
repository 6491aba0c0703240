using System.CommandLine;
using System.Globalization;
using Berth.Cli.Remote;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth submit</c>: one job to a Berth server; prints its id. Each call sends an idempotency key of its own and
/// retries a lost connection with it, so a retry never makes a second job.
/// </summary>
internal sealed class SubmitCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Option<string?> _queue = new("--queue", "-q") { Description = "Queue to submit to (default: $BERTH_QUEUE).", HelpName = "queue" };
    private readonly Option<int> _gpus = new("--gpus") { Description = "Whole GPUs per pod (default 1).", HelpName = "N", DefaultValueFactory = _ => 1 };
    private readonly Option<double?> _share = new("--gpu-share") { Description = "A share of one GPU per pod instead of whole GPUs, such as 0.5.", HelpName = "F" };
    private readonly Option<string[]> _resources = new("--resource") { Description = "A GPU request by Kubernetes resource name instead of --gpus, repeatable: nvidia.com/gpu=2, nvidia.com/mig-3g.40gb=1, nvidia.com/gpu.shared=1, berth.dev/gpu-memory=20Gi.", HelpName = "NAME=AMOUNT" };
    private readonly Option<double?> _activity = new("--gpu-activity") { Description = "Simulated nodes: the share of time its GPUs are busy, 0 to 1 (idle policies, yield and right-sizing read it).", HelpName = "F" };
    private readonly Option<int> _pods = new("--pods") { Description = "Pods, placed all together (default 1).", HelpName = "P", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> _minPods = new("--min-pods") { Description = "Elastic: start with at least this many pods.", HelpName = "N" };
    private readonly Option<string?> _duration = new("--duration") { Description = "How long it runs on simulated nodes, such as 30m (required).", HelpName = "D" };
    private readonly Option<string?> _name = new("--name") { Description = "A name to tell it by.", HelpName = "X" };
    private readonly Option<string?> _priority = new("--priority-class") { Description = "Priority class.", HelpName = "name" };
    private readonly Option<double> _cpu = new("--cpu") { Description = "CPU cores per pod (default 1).", HelpName = "cores", DefaultValueFactory = _ => 1 };
    private readonly Option<double> _memory = new("--memory-gib") { Description = "Memory per pod in GiB (default 4).", HelpName = "GiB", DefaultValueFactory = _ => 4 };
    private readonly Option<string?> _key = new("--idempotency-key") { Description = "Send this key (default: a new one per call): the same key twice gives the same job.", HelpName = "key" };
    private readonly Argument<string[]> _command = new("command") { Description = "The command to run, after --.", Arity = ArgumentArity.ZeroOrMore };

    private SubmitCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new SubmitCommand(terminal);
        var command = new Command("submit", "Submit a job to a Berth server and print its id.")
        {
            h._queue, h._gpus, h._share, h._resources, h._activity, h._pods, h._minPods, h._duration, h._name, h._priority, h._cpu, h._memory, h._key, h._command,
        };
        h._client.AddTo(command);
        command.SetAction(h.Execute);
        return command.WithExamples("""
            berth submit --queue team-a --gpus 2 --pods 4 --duration 1h --name llama-ft -- python train.py
            berth submit -q research --gpu-share 0.5 --duration 20m -o json
            berth submit -q inference --resource nvidia.com/mig-3g.40gb=1 --duration 2h
            Exit codes: 0 submitted (the id on stdout); 2 refused as bad input (the field and fix on stderr); 3 server unreachable or the token refused.
            """);
    }

    private int Execute(ParseResult parse)
    {
        var format = _client.Format(parse);
        var share = parse.GetValue(_share);
        var resources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in parse.GetValue(_resources) ?? [])
        {
            var at = entry.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == entry.Length - 1)
            {
                _terminal.Error.WriteLine($"error: --resource '{entry}' is not NAME=AMOUNT; write it as nvidia.com/mig-3g.40gb=1");
                return ExitCodes.BadInput;
            }

            resources[entry[..at]] = entry[(at + 1)..];
        }

        var spec = new JobSpec
        {
            Name = parse.GetValue(_name),
            Queue = parse.GetValue(_queue) ?? Environment.GetEnvironmentVariable("BERTH_QUEUE"),
            PriorityClass = parse.GetValue(_priority),
            Duration = parse.GetValue(_duration),
            GpuActivity = parse.GetValue(_activity),
            Command = parse.GetValue(_command) is { Length: > 0 } argv ? argv : null,
            PodSets = [new PodSetSpec { Name = "workers", Count = parse.GetValue(_pods), MinCount = parse.GetValue(_minPods), Gpus = share is null && resources.Count == 0 ? parse.GetValue(_gpus) : 0, GpuShare = share, Resources = resources.Count == 0 ? null : resources, Cpu = parse.GetValue(_cpu), MemoryGiB = parse.GetValue(_memory) }],
        };
        var key = parse.GetValue(_key) ?? Guid.NewGuid().ToString("N");
        using var client = _client.Connect(parse, _terminal);
        var headers = new Dictionary<string, string> { [JobEndpoints.IdempotencyHeader] = key };
        JobView job;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                job = client.Send<JobView>(HttpMethod.Post, "api/v1/jobs", spec, headers);
                break;
            }
            catch (ServerRefusedException) when (attempt < 3 && !_terminal.Cancellation.IsCancellationRequested)
            {
                // the same key again: the server answers with the job it already took, if it did
            }
        }

        if (format is "json" or "yaml")
        {
            Printing.Structured(_terminal.Out, job, format);
        }
        else
        {
            _terminal.Out.WriteLine(job.Id);
        }

        return ExitCodes.Success;
    }
}
