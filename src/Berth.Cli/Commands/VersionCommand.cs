using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth version</c>: the version of this build.</summary>
internal static class VersionCommand
{
    public static Command Create(CliTerminal terminal)
    {
        var command = new Command("version", "Print Berth's version.");
        command.SetAction(_ =>
        {
            terminal.Out.WriteLine($"berth {BerthCli.Version}");
            return ExitCodes.Success;
        });
        return command;
    }
}
