using System.CommandLine;
using System.Globalization;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth nodes</c>: each node's GPUs and what holds each one.</summary>
internal static class NodesCommand
{
    public static Command Create(CliTerminal terminal) => RemoteList.Create<NodeView>(
        terminal, "nodes", "List the nodes of a Berth server: GPUs free, and the jobs that hold the others (-o wide: per GPU).", "api/v1/nodes", Table);

    private static void Table(TextWriter output, NodeView[] nodes, bool wide)
    {
        if (wide)
        {
            Printing.Table(output, ["NODE", "GPU", "MODEL", "FREE", "HELD BY"], nodes.SelectMany(n => n.Gpus.Select(g => (IReadOnlyList<string>)
                [n.Name, g.Index.ToString(CultureInfo.InvariantCulture), g.Model, Printing.Number(g.Free), string.Join(", ", g.HeldBy.Select(h => h.Share < 1 ? $"{h.Pod} ({Printing.Number(h.Share)})" : h.Pod))])));
            return;
        }

        Printing.Table(output, ["NODE", "GPUS", "MODEL", "FREE", "JOBS"], nodes.Select(n => (IReadOnlyList<string>)
        [
            n.Cordoned ? n.Name + " (cordoned)" : n.Name,
            n.Gpus.Count.ToString(CultureInfo.InvariantCulture),
            n.Gpus.FirstOrDefault()?.Model ?? "-",
            Printing.Number(n.Gpus.Sum(g => g.Free)),
            string.Join(',', n.Gpus.SelectMany(g => g.HeldBy.Select(h => h.Job)).Distinct(StringComparer.Ordinal)),
        ]));
    }
}
