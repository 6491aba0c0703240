using Berth.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop the runs, delete the staging folder and exit 130. A second one kills the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

// SIGTERM (kill, a container stop) ends a run the same way, so its staging folder is removed too. 'berth operator'
// registers its own handler and stops cleanly on either.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return BerthCli.Run(args, Console.Out, Console.Error, cancellation.Token, interactive: !Console.IsOutputRedirected);
