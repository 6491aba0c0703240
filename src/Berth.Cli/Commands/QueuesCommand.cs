using System.CommandLine;
using System.Globalization;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth queues</c>: each queue's GPU quota and use, and how many jobs wait, are held and run.</summary>
internal sealed class QueuesCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();

    private QueuesCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new QueuesCommand(terminal);
        var command = new Command("queues", "List the queues of a Berth server: cohort, GPU quota and use per flavor, pending, held and running jobs.");
        h._client.AddTo(command);
        command.SetAction(h.Execute);
        return command;
    }

    private int Execute(ParseResult parse)
    {
        var format = _client.Format(parse);
        using var client = _client.Connect(parse, _terminal);
        var queues = client.Get<QueueView[]>("api/v1/queues");
        if (format is "json" or "yaml")
        {
            Printing.Structured(_terminal.Out, queues, format);
            return ExitCodes.Success;
        }

        if (format == "wide")
        {
            // Fair-share state: weight, GPUs borrowed from and lent to the cohort, the weighted dominant share, the stop policy.
            Printing.Table(_terminal.Out, ["QUEUE", "COHORT", "WEIGHT", "GPUS USED/NOMINAL", "BORROWED", "LENT", "SHARE", "STOP", "PENDING", "HELD", "RUNNING"], queues.Select(q => (IReadOnlyList<string>)
            [
                q.Name,
                q.Cohort ?? string.Empty,
                Printing.Number(q.Weight),
                string.Join(' ', q.Quota.Where(g => g.Resource == "gpu").Select(g => $"{g.Flavor}:{Printing.Number(g.Used)}/{Printing.Number(g.Nominal)}")),
                Printing.Number(q.Quota.Where(g => g.Resource == "gpu").Sum(g => g.Borrowed)),
                Printing.Number(q.Quota.Where(g => g.Resource == "gpu").Sum(g => g.Lent)),
                q.Share.ToString("0.000", CultureInfo.InvariantCulture),
                q.StopPolicy,
                q.Pending.ToString(CultureInfo.InvariantCulture),
                q.Held.ToString(CultureInfo.InvariantCulture),
                q.Running.ToString(CultureInfo.InvariantCulture),
            ]));
            return ExitCodes.Success;
        }

        Printing.Table(_terminal.Out, ["QUEUE", "COHORT", "GPUS USED/NOMINAL", "PENDING", "HELD", "RUNNING"], queues.Select(q => (IReadOnlyList<string>)
        [
            q.Name,
            q.Cohort ?? string.Empty,
            string.Join(' ', q.Quota.Where(g => g.Resource == "gpu").Select(g => $"{g.Flavor}:{Printing.Number(g.Used)}/{Printing.Number(g.Nominal)}")),
            q.Pending.ToString(CultureInfo.InvariantCulture),
            q.Held.ToString(CultureInfo.InvariantCulture),
            q.Running.ToString(CultureInfo.InvariantCulture),
        ]));
        return ExitCodes.Success;
    }
}
