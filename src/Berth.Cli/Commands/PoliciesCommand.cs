using System.CommandLine;
using Berth.Engine.Policies;
using Spectre.Console;

namespace Berth.Cli.Commands;

/// <summary><c>berth policies</c>: the placement policies and what each does.</summary>
internal static class PoliciesCommand
{
    public static Command Create(CliTerminal terminal)
    {
        var command = new Command("policies", "List the placement policies 'berth simulate --policies' accepts, with what each does.")
            .WithExamples("""
            berth policies
            berth simulate --demo --policies fgd,bestfit,random
            """);
        command.SetAction(_ =>
        {
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn("policy");
            table.AddColumn("what it does");
            foreach (var profile in PlacementPolicies.Profiles)
            {
                var name = profile.Name == PlacementPolicies.Default ? $"[bold]{Markup.Escape(profile.Name)}[/] (default)" : Markup.Escape(profile.Name);
                table.AddRow(name, Markup.Escape(profile.Description));
            }

            terminal.Console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
