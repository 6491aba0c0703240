using System.CommandLine;

namespace Berth.Cli.Remote;

/// <summary>
/// The options every command that talks to a Berth server has: where it is (<c>--server</c>, else
/// <c>BERTH_SERVER</c>, else http://127.0.0.1:8080), the token (<c>--token</c>, else <c>BERTH_TOKEN</c>, else
/// <c>./berth-data/admin.token</c> when it exists), and the output format.
/// </summary>
internal sealed class ClientOptions
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    public Option<string?> Server { get; } = new("--server") { Description = "URL of the Berth server (default: $BERTH_SERVER, else " + DefaultServer + ").", HelpName = "url" };

    public Option<string?> Token { get; } = new("--token") { Description = "Bearer token (default: $BERTH_TOKEN, else ./berth-data/admin.token if it exists). Prefer BERTH_TOKEN: arguments show in ps.", HelpName = "token" };

    public Option<string> Output { get; } = new("--output", "-o") { Description = "Output: table (default), wide, json or yaml.", HelpName = "format", DefaultValueFactory = _ => "table" };

    public void AddTo(Command command, bool withOutput = true)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        if (withOutput)
        {
            command.Options.Add(Output);
        }
    }

    public ServerClient Connect(ParseResult parse, CliTerminal terminal)
    {
        var server = parse.GetValue(Server) ?? Environment.GetEnvironmentVariable("BERTH_SERVER") ?? DefaultServer;
        if (!Uri.TryCreate(server.TrimEnd('/') + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new Berth.Simulation.Input.InputException($"--server '{server}' is not an http(s) URL; give one such as {DefaultServer}");
        }

        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("BERTH_TOKEN");
        if (string.IsNullOrWhiteSpace(token) && File.Exists(Path.Combine("berth-data", "admin.token")))
        {
            token = File.ReadAllText(Path.Combine("berth-data", "admin.token")).Trim();
        }

        return new ServerClient(url, token, terminal.Cancellation);
    }

    /// <summary>The output format asked for; bad input for anything else.</summary>
    public string Format(ParseResult parse)
    {
        var format = parse.GetValue(Output) ?? "table";
        return format is "table" or "wide" or "json" or "yaml"
            ? format
            : throw new Berth.Simulation.Input.InputException($"-o '{format}' is not an output format; use table, wide, json or yaml");
    }
}
