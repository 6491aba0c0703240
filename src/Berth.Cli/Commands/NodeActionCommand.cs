using System.CommandLine;
using Berth.Cli.Remote;

namespace Berth.Cli.Commands;

/// <summary><c>berth cordon|uncordon|drain NODE</c>: an admin's change to one node of a Berth server.</summary>
internal sealed class NodeActionCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Argument<string> _node = new("node") { Description = "The node's name (berth nodes lists them)." };
    private readonly string _action;

    private NodeActionCommand(CliTerminal terminal, string action)
    {
        _terminal = terminal;
        _action = action;
    }

    public static Command Cordon(CliTerminal terminal) => Create(terminal, "cordon", "Place nothing new on a node; what runs there stays.");

    public static Command Uncordon(CliTerminal terminal) => Create(terminal, "uncordon", "Let jobs be placed on a cordoned node again.");

    public static Command Drain(CliTerminal terminal) => Create(terminal, "drain", "Cordon a node and send every job with a pod there back to its queue, at its place.");

    private static Command Create(CliTerminal terminal, string action, string description)
    {
        var h = new NodeActionCommand(terminal, action);
        var command = new Command(action, description + " Admin token only.") { h._node };
        h._client.AddTo(command, withOutput: false);
        command.SetAction(h.Execute);
        return command;
    }

    private int Execute(ParseResult parse)
    {
        using var client = _client.Connect(parse, _terminal);
        var node = parse.GetValue(_node)!;
        client.SendRaw(HttpMethod.Post, $"api/v1/nodes/{Uri.EscapeDataString(node)}/{_action}", null, null);
        _terminal.Out.WriteLine($"{node} {_action}ed");
        return ExitCodes.Success;
    }
}
