using System.CommandLine;
using Berth.Cli.Remote;
using Berth.Server.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth token create</c>: a new token from a Berth server (admins only), printed once.</summary>
internal sealed class TokenCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Option<string> _role = new("--role") { Description = "admin, submitter (for the --queue queues) or viewer.", HelpName = "role", Required = true };
    private readonly Option<string[]> _queues = new("--queue") { Description = "A queue a submitter token may use (repeat for more).", HelpName = "queue", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _name = new("--name") { Description = "A name to tell the token by (default: its role).", HelpName = "name" };

    private TokenCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new TokenCommand(terminal);
        var create = new Command("create", "Make a token; it is printed once (the server keeps only its SHA-256).") { h._role, h._queues, h._name };
        h._client.AddTo(create, withOutput: false);
        create.SetAction(h.Execute);
        var command = new Command("token", "Tokens of a Berth server.") { create };
        return command.WithExamples("""
            berth token create --role submitter --queue team-a --name alice
            berth token create --role viewer --name dashboard
            """);
    }

    private int Execute(ParseResult parse)
    {
        var roleText = parse.GetValue(_role)!;
        if (!Enum.TryParse<Berth.Server.Access.Role>(roleText, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            throw new Berth.Simulation.Input.InputException($"--role '{roleText}': give admin, submitter or viewer");
        }

        using var client = _client.Connect(parse, _terminal);
        var queues = parse.GetValue(_queues) ?? [];
        var created = client.Send<TokenCreated>(HttpMethod.Post, "api/v1/tokens", new TokenRequest { Role = role, Queues = queues.Length == 0 ? null : queues, Name = parse.GetValue(_name) }, null);
        _terminal.Out.WriteLine(created.Token);
        return ExitCodes.Success;
    }
}
