using System.CommandLine;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth nodes</c>: each node's GPUs and what holds each one.</summary>
internal sealed class NodesCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();

    private NodesCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new NodesCommand(terminal);
        var command = new Command("nodes", "List the nodes of a Berth server: GPUs free, and the jobs that hold the others (-o wide: per GPU).");
        h._client.AddTo(command);
        command.SetAction(h.Execute);
        return command;
    }

    private int Execute(ParseResult parse)
    {
        var format = _client.Format(parse);
        using var client = _client.Connect(parse, _terminal);
        var nodes = client.Get<NodeView[]>("api/v1/nodes");
        if (format is "json" or "yaml")
        {
            Printing.Structured(_terminal.Out, nodes, format);
            return ExitCodes.Success;
        }

        if (format == "wide")
        {
            Printing.Table(_terminal.Out, ["NODE", "GPU", "MODEL", "FREE", "HELD BY"], nodes.SelectMany(n => n.Gpus.Select(g => (IReadOnlyList<string>)
                [n.Name, g.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Model, Printing.Number(g.Free), string.Join(", ", g.HeldBy.Select(h => h.Share < 1 ? $"{h.Pod} ({Printing.Number(h.Share)})" : h.Pod))])));
            return ExitCodes.Success;
        }

        Printing.Table(_terminal.Out, ["NODE", "GPUS", "MODEL", "FREE", "JOBS"], nodes.Select(n => (IReadOnlyList<string>)
        [
            n.Cordoned ? n.Name + " (cordoned)" : n.Name,
            n.Gpus.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            n.Gpus.FirstOrDefault()?.Model ?? "-",
            Printing.Number(n.Gpus.Sum(g => g.Free)),
            string.Join(',', n.Gpus.SelectMany(g => g.HeldBy.Select(h => h.Job)).Distinct(StringComparer.Ordinal)),
        ]));
        return ExitCodes.Success;
    }
}
