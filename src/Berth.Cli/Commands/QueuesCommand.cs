using System.CommandLine;
using System.Globalization;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth queues</c>: each queue's GPU quota and use, and how many jobs wait, are held and run.</summary>
internal static class QueuesCommand
{
    public static Command Create(CliTerminal terminal) => RemoteList.Create<QueueView>(
        terminal, "queues", "List the queues of a Berth server: cohort, GPU quota and use per flavor, pending, held and running jobs.", "api/v1/queues", Table);

    private static void Table(TextWriter output, QueueView[] queues, bool wide)
    {
        if (wide)
        {
            // Fair-share state: weight, GPUs borrowed from and lent to the cohort, the weighted dominant share, the stop policy.
            Printing.Table(output, ["QUEUE", "COHORT", "WEIGHT", "GPUS USED/NOMINAL", "BORROWED", "LENT", "SHARE", "STOP", "PENDING", "HELD", "RUNNING"], queues.Select(q => (IReadOnlyList<string>)
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
            return;
        }

        Printing.Table(output, ["QUEUE", "COHORT", "GPUS USED/NOMINAL", "PENDING", "HELD", "RUNNING"], queues.Select(q => (IReadOnlyList<string>)
        [
            q.Name,
            q.Cohort ?? string.Empty,
            string.Join(' ', q.Quota.Where(g => g.Resource == "gpu").Select(g => $"{g.Flavor}:{Printing.Number(g.Used)}/{Printing.Number(g.Nominal)}")),
            q.Pending.ToString(CultureInfo.InvariantCulture),
            q.Held.ToString(CultureInfo.InvariantCulture),
            q.Running.ToString(CultureInfo.InvariantCulture),
        ]));
    }
}
