using System.CommandLine;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth cancel|hold|release ID</c>: one change to one job of a Berth server, committed before it answers.</summary>
internal sealed class JobActionCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Argument<string> _id = new("id") { Description = "The job's id (berth jobs lists them)." };
    private readonly HttpMethod _method;
    private readonly string _suffix;

    private JobActionCommand(CliTerminal terminal, HttpMethod method, string suffix)
    {
        _terminal = terminal;
        _method = method;
        _suffix = suffix;
    }

    public static Command Cancel(CliTerminal terminal) => Create(terminal, "cancel", "Cancel a job: a waiting one leaves its queue, a running one stops and frees its GPUs.", HttpMethod.Delete, string.Empty);

    public static Command Hold(CliTerminal terminal) => Create(terminal, "hold", "Hold a pending job: it is not admitted until released, and keeps its place.", HttpMethod.Post, "/hold");

    public static Command Release(CliTerminal terminal) => Create(terminal, "release", "Release a held job back into its queue, at its place.", HttpMethod.Post, "/release");

    private static Command Create(CliTerminal terminal, string name, string description, HttpMethod method, string suffix)
    {
        var h = new JobActionCommand(terminal, method, suffix);
        var command = new Command(name, description) { h._id };
        h._client.AddTo(command, withOutput: false);
        command.SetAction(h.Execute);
        return command.WithExamples($"""
            berth {name} j-12
            Exit codes: 0 done; 2 no such job, or its state does not allow it; 3 server unreachable or the token refused.
            """);
    }

    private int Execute(ParseResult parse)
    {
        using var client = _client.Connect(parse, _terminal);
        var job = client.Send<JobView>(_method, "api/v1/jobs/" + Uri.EscapeDataString(parse.GetValue(_id)!) + _suffix, null, null);
        _terminal.Out.WriteLine($"{job.Id} {job.State}");
        return ExitCodes.Success;
    }
}
