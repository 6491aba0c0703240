using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Berth.Cli;

/// <summary>
/// Adds an "Examples:" section (and any notes) to a command's <c>--help</c>, after the options, so the command
/// lists in the parent's help stay one line each.
/// </summary>
internal static class HelpExamples
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, string> Texts = [];

    /// <summary>Registers the text shown under "Examples:" in <paramref name="command"/>'s help.</summary>
    public static T WithExamples<T>(this T command, string examples)
        where T : Command
    {
        Texts.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>Makes the root's help option (inherited by every subcommand) append the examples section.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is SynchronousCommandLineAction standard)
        {
            help.Action = new WithExamplesAction(standard);
        }
    }

    /// <summary>True when the parsed command line asks for help (which takes precedence over parse errors).</summary>
    public static bool IsHelp(CommandLineAction? action) => action is HelpAction or WithExamplesAction;

    /// <summary>The standard help, then the examples of the command asked about.</summary>
    private sealed class WithExamplesAction(SynchronousCommandLineAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = standard.Invoke(parseResult);
            if (Texts.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var line in text.Split('\n'))
                {
                    output.WriteLine(line.Length == 0 ? string.Empty : "  " + line.TrimEnd('\r'));
                }

                output.WriteLine();
            }

            return result;
        }
    }
}
