using System.CommandLine;
using System.Globalization;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth describe job ID</c>: a job's placement, events, why it waits, when it is expected to start, and right-sizing advice from its GPU use.</summary>
internal sealed class DescribeCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Argument<string> _id = new("id") { Description = "The job's id (berth jobs lists them)." };

    private DescribeCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new DescribeCommand(terminal);
        var job = new Command("job", "Show one job: placement, events, why it waits, its place in its queue and expected start.") { h._id };
        h._client.AddTo(job);
        job.SetAction(h.Execute);
        var command = new Command("describe", "Show one object of a Berth server in detail.") { job };
        return command.WithExamples("""
            berth describe job j-12
            berth describe job j-12 -o yaml
            """);
    }

    private int Execute(ParseResult parse)
    {
        var format = _client.Format(parse);
        using var client = _client.Connect(parse, _terminal);
        var job = client.Get<JobView>("api/v1/jobs/" + Uri.EscapeDataString(parse.GetValue(_id)!));
        if (format is "json" or "yaml")
        {
            Printing.Structured(_terminal.Out, job, format);
            return ExitCodes.Success;
        }

        var o = _terminal.Out;
        o.WriteLine($"Job:       {job.Id}{(job.Name is null ? string.Empty : $" ({job.Name})")}");
        o.WriteLine($"Queue:     {job.Queue}{(job.PriorityClass is null ? string.Empty : $", priority class {job.PriorityClass}")}");
        o.WriteLine($"State:     {job.State}{(job.Message is null ? string.Empty : $": {job.Message}")}");
        o.WriteLine($"Asks for:  {Printing.Number(job.Gpus)} GPUs in {job.Pods} pods, for {job.Duration}");
        if (job.GpuActivity is { } activity)
        {
            o.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"GPU use:   {activity:P0} busy: {Printing.Number(job.Gpus * activity)} of its {Printing.Number(job.Gpus)} GPUs do useful work"));
        }

        if (job.AllocatedGpuHours is { } allocated)
        {
            o.WriteLine($"GPU-hours: {Printing.Number(allocated)} allocated, {(job.UsedGpuHours is { } used ? Printing.Number(used) + " used" : "use unknown")}");
        }

        if (job.Gpus > 0 && client.Get<RightSizingView>("api/v1/jobs/" + Uri.EscapeDataString(job.Id) + "/rightsizing") is { Advice: { } advice } sizing)
        {
            o.WriteLine($"Right-size: {advice} (from {sizing.Source})");
        }

        o.WriteLine($"Submitted: {Time(job.Created)}; waited {Printing.Duration(job.WaitedSeconds)}");
        if (job.StartedAt is { } started)
        {
            o.WriteLine($"Started:   {Time(started)} in flavor {job.Flavor}");
        }

        if (job.FinishedAt is { } finished)
        {
            o.WriteLine($"Finished:  {Time(finished)}");
        }

        if (job.Pending is { } pending)
        {
            o.WriteLine($"Waiting:   {pending.Code}: {pending.Message}");
            if (job.QueuePosition is { } position)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Position:  {position} in queue {job.Queue}"));
            }

            o.WriteLine($"Expected:  {(job.ExpectedStart is { } start ? Time(start) : "unknown (no running job's end frees enough)")}");
        }

        if (job.Placement is { Count: > 0 } placement)
        {
            o.WriteLine("Placement:");
            if (placement.Any(p => p.GpuActivity is not null))
            {
                // Each GPU's activity from telemetry, in the GPUs' order ("?" where no fresh sample says).
                Printing.Table(o, ["  POD", "NODE", "GPUS", "SHARE", "BUSY"], placement.Select(p => (IReadOnlyList<string>)["  " + p.Pod, p.Node, string.Join(',', p.Gpus), Printing.Number(p.GpuShare),
                    p.GpuActivity is { } busy ? string.Join(',', busy.Select(a => a is { } x ? Math.Round(x * 100).ToString(System.Globalization.CultureInfo.InvariantCulture) + "%" : "?")) : "-"]));
            }
            else
            {
                Printing.Table(o, ["  POD", "NODE", "GPUS", "SHARE"], placement.Select(p => (IReadOnlyList<string>)["  " + p.Pod, p.Node, string.Join(',', p.Gpus), Printing.Number(p.GpuShare)]));
            }
        }

        if (job.Runs is { Count: > 0 } runs)
        {
            o.WriteLine("Runs:");
            Printing.Table(o, ["  RUN", "STARTED", "ENDED", "GPUS", "NODES", "OUTCOME"], runs.Select(r => (IReadOnlyList<string>)["  " + r.Number.ToString(CultureInfo.InvariantCulture), Time(r.Started), r.Ended is { } ended ? Time(ended) : "running", Printing.Number(r.Gpus), r.Nodes.Count == 0 ? "-" : string.Join(',', r.Nodes), r.Outcome ?? "-"]));
        }

        if (job.Events is { Count: > 0 } events)
        {
            o.WriteLine("Events:");
            Printing.Table(o, ["  AT", "EVENT", "MESSAGE"], events.Select(e => (IReadOnlyList<string>)["  " + Time(e.At), e.Kind, e.Message]));
        }

        return ExitCodes.Success;
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
