using System.CommandLine;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth jobs</c>: every matching job of a Berth server (all pages), like squeue.</summary>
internal sealed class JobsCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Option<string?> _queue = new("--queue", "-q") { Description = "Only this queue's jobs.", HelpName = "queue" };
    private readonly Option<int> _chunk = new("--chunk-size") { Description = "Jobs per request while fetching the list (default 500); every matching job is printed whatever the size.", HelpName = "N", DefaultValueFactory = _ => 500 };
    private readonly Option<string?> _state = new("--state") { Description = "Only jobs in this state: pending, held, running, succeeded, failed, cancelled.", HelpName = "state" };

    private JobsCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new JobsCommand(terminal);
        var command = new Command("jobs", "List the jobs of a Berth server: id, name, queue, state, GPUs, time waited and why it waits.") { h._queue, h._state, h._chunk };
        h._client.AddTo(command);
        command.SetAction(h.Execute);
        return command.WithExamples("""
            berth jobs                       every job, oldest first
            berth jobs --state pending -o wide
            berth jobs -q team-a -o json     the same jobs as JSON (all pages)
            """);
    }

    private int Execute(ParseResult parse)
    {
        var format = _client.Format(parse);
        using var client = _client.Connect(parse, _terminal);
        var chunk = parse.GetValue(_chunk);
        if (chunk is < 1 or > Berth.Web.ClusterViewEndpoints.MaxPage)
        {
            throw new Berth.Simulation.Input.InputException($"--chunk-size {chunk}: give 1 to {Berth.Web.ClusterViewEndpoints.MaxPage}");
        }

        var query = new List<string> { $"limit={chunk}" };
        if (parse.GetValue(_queue) is { } queue)
        {
            query.Add("queue=" + Uri.EscapeDataString(queue));
        }

        if (parse.GetValue(_state) is { } state)
        {
            query.Add("state=" + Uri.EscapeDataString(state));
        }

        var items = new List<JobView>();
        string? next = null;
        do
        {
            var page = client.Get<JobList>($"api/v1/jobs?{string.Join('&', query)}{(next is null ? string.Empty : "&after=" + next)}");
            items.AddRange(page.Items);
            next = page.Next;
        }
        while (next is not null);

        if (format is "json" or "yaml")
        {
            Printing.Structured(_terminal.Out, items, format);
            return ExitCodes.Success;
        }

        var wide = format == "wide";
        string[] headers = wide ? ["ID", "NAME", "QUEUE", "STATE", "GPUS", "PODS", "WAITED", "POSITION", "FLAVOR", "NODES", "REASON"] : ["ID", "NAME", "QUEUE", "STATE", "GPUS", "WAITED", "REASON"];
        Printing.Table(_terminal.Out, headers, items.Select(j =>
        {
            var reason = j.Pending?.Code ?? (j.State is Berth.Web.JobState.Running ? string.Empty : j.Message ?? string.Empty);
            var nodes = j.Placement is null ? string.Empty : string.Join(',', j.Placement.Select(p => p.Node).Distinct(StringComparer.Ordinal));
            return wide
                ? (IReadOnlyList<string>)[j.Id, j.Name ?? string.Empty, j.Queue, j.State.ToString(), Printing.Number(j.Gpus), j.Pods.ToString(System.Globalization.CultureInfo.InvariantCulture), Printing.Duration(j.WaitedSeconds), j.QueuePosition?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, j.Flavor ?? string.Empty, nodes, j.Pending?.Message ?? reason]
                : [j.Id, j.Name ?? string.Empty, j.Queue, j.State.ToString(), Printing.Number(j.Gpus), Printing.Duration(j.WaitedSeconds), reason];
        }));
        return ExitCodes.Success;
    }
}
