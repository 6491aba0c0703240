using System.CommandLine;

namespace Berth.Cli.Remote;

/// <summary>
/// A command that lists one kind of thing from a Berth server (<c>berth nodes</c>, <c>berth queues</c>): the client
/// options, one GET, JSON or YAML as asked, else the kind's own table (plain, or wide with <c>-o wide</c>).
/// </summary>
internal static class RemoteList
{
    public static Command Create<T>(CliTerminal terminal, string name, string description, string path, Action<TextWriter, T[], bool> table)
    {
        var client = new ClientOptions();
        var command = new Command(name, description);
        client.AddTo(command);
        command.SetAction(parse =>
        {
            var format = client.Format(parse);
            using var connection = client.Connect(parse, terminal);
            var items = connection.Get<T[]>(path);
            if (format is "json" or "yaml")
            {
                Printing.Structured(terminal.Out, items, format);
            }
            else
            {
                table(terminal.Out, items, format == "wide");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
