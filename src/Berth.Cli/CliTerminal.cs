using Spectre.Console;

namespace Berth.Cli;

/// <summary>
/// Where a command writes: the output and error writers and a Spectre console over the output. When the output
/// is not an interactive terminal (redirected, CI, tests) the console writes plain text: no colours, no cursor
/// movement, a fixed width.
/// </summary>
public sealed class CliTerminal
{
    public CliTerminal(TextWriter output, TextWriter error, bool interactive, CancellationToken cancellation)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
        Cancellation = cancellation;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            Console.Profile.Width = 200;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>True when the output is a terminal a person watches: live progress bars and colours.</summary>
    public bool Interactive { get; }

    public CancellationToken Cancellation { get; }

    public IAnsiConsole Console { get; }
}
