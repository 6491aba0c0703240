using System.CommandLine;
using Berth.Cli.Remote;

namespace Berth.Cli.Commands;

/// <summary><c>berth logs ID</c>: a pod's stdout (or stderr) of a job run by a local server.</summary>
internal sealed class LogsCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Argument<string> _id = new("id") { Description = "The job's id." };
    private readonly Option<string?> _pod = new("--pod") { Description = "The pod, such as workers-1 (default: the first).", HelpName = "pod" };
    private readonly Option<bool> _stderr = new("--stderr") { Description = "Print stderr instead of stdout." };
    private readonly Option<bool> _follow = new("--follow", "-f") { Description = "Keep printing what the pod writes until the job ends." };

    private LogsCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new LogsCommand(terminal);
        var command = new Command("logs", "Print what a pod of a job wrote (servers started with --local; simulated jobs write nothing).") { h._id, h._pod, h._stderr, h._follow };
        h._client.AddTo(command, withOutput: false);
        command.SetAction(h.Execute);
        return command.WithExamples("""
            berth logs j-12
            berth logs j-12 -f
            berth logs j-12 --pod workers-1 --stderr
            """);
    }

    private int Execute(ParseResult parse)
    {
        using var client = _client.Connect(parse, _terminal);
        var path = $"api/v1/jobs/{Uri.EscapeDataString(parse.GetValue(_id)!)}/logs?stream={(parse.GetValue(_stderr) ? "stderr" : "stdout")}";
        if (parse.GetValue(_pod) is { } pod)
        {
            path += "&pod=" + Uri.EscapeDataString(pod);
        }

        if (!parse.GetValue(_follow))
        {
            _terminal.Out.Write(client.SendRaw(HttpMethod.Get, path, null, null));
            return ExitCodes.Success;
        }

        // Follow: read from where the last answer ended, once a second, until the job is final and nothing is new.
        long offset = 0;
        while (true)
        {
            var text = client.SendRaw(HttpMethod.Get, $"{path}&offset={offset}", null, null, out var headers);
            _terminal.Out.Write(text);
            _terminal.Out.Flush();
            offset = headers.TryGetValues("Berth-Log-Offset", out var values) && long.TryParse(values.First(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var next) ? next : offset;
            var state = headers.TryGetValues("Berth-Job-State", out var states) ? states.First() : string.Empty;
            if (text.Length == 0 && state is not ("Running" or "Pending" or "Held"))
            {
                return ExitCodes.Success;
            }

            _terminal.Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            _terminal.Cancellation.ThrowIfCancellationRequested();
        }
    }
}
