using System.CommandLine;
using Berth.Cli.Data;
using Berth.Simulation.Input;

namespace Berth.Cli.Commands;

/// <summary><c>berth data fetch openb|itp</c>: downloads a public trace from its published location, with its licence noted beside it.</summary>
internal sealed class DataCommand
{
    /// <summary>Overrides every source's base URL (a mirror, or a local server in tests); --base-url wins over it.</summary>
    public const string BaseUrlVariable = "BERTH_DATA_BASE_URL";

    public const string DefaultFolder = "berth-data";

    private readonly CliTerminal _terminal;

    private readonly Argument<string> _trace = new("trace") { Description = $"The trace: {string.Join(" or ", TraceCatalog.All.Select(s => s.Name))}." };

    private readonly Option<string?> _to = new("--to") { Description = $"Folder to write the files into; created if missing, files of the same name replaced. Default: ./{DefaultFolder}/<trace>.", HelpName = "dir" };

    private readonly Option<string?> _baseUrl = new("--base-url") { Description = $"Download from this URL instead of the published location (a mirror holding the same files); also ${BaseUrlVariable}.", HelpName = "url" };

    private DataCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var handler = new DataCommand(terminal);
        var fetch = new Command("fetch", "Download a public trace (openb: Alibaba's GPU cluster trace 2023; itp: Microsoft's ITP job logs) from where it is published, checksums verified where known, its licence written beside it.")
        {
            handler._trace, handler._to, handler._baseUrl,
        };
        fetch.SetAction(handler.Fetch);
        fetch.WithExamples($$"""
            berth data fetch openb
                the openb node and pod lists (22 files, 11 MB) into ./{{DefaultFolder}}/openb, then:
            berth simulate --trace-dir {{DefaultFolder}}/openb --traces default --policies fgd,bestfit --seeds 42-51 --out results
            berth data fetch itp --to traces/itp
                the ITP job logs (one CSV per cluster) into traces/itp, for scenarios/itp-merged.yaml

            openb: github.com/alibaba/clusterdata (cluster-trace-gpu-v2023), research/study use with attribution.
            itp: github.com/microsoft/elasticflow-traces, MIT licence. SOURCE.md beside the data says which.
            The files appear in the folder only when every download succeeded (and matched its checksum).
            Exit codes: 0 done; 2 bad option; 3 could not download (offline, HTTP error, checksum mismatch); 130 interrupted.
            """);
        var data = new Command("data", "Get the public traces Berth's experiments use.") { fetch };
        return data.WithExamples("""
            berth data fetch openb
            berth data fetch itp --to traces/itp
            """);
    }

    private int Fetch(ParseResult parse)
    {
        var name = parse.GetValue(_trace)!;
        var source = TraceCatalog.Find(name.Trim())
            ?? throw new InputException($"unknown trace '{PrintableText.Of(name)}'; choose {string.Join(" or ", TraceCatalog.All.Select(s => s.Name))}");
        var baseUrl = parse.GetValue(_baseUrl) is { } option
            ? Data.TraceFetcher.CheckBaseUrl(option, "--base-url")
            : Environment.GetEnvironmentVariable(BaseUrlVariable) is { Length: > 0 } variable
                ? Data.TraceFetcher.CheckBaseUrl(variable, BaseUrlVariable)
                : source.BaseUrl;
        var to = parse.GetValue(_to) ?? Path.Combine(DefaultFolder, source.Name);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(20) }) { Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"berth/{BerthCli.Version}");
        try
        {
            new TraceFetcher(http, _terminal).Fetch(source, baseUrl, to);
        }
        catch (FetchFailedException e)
        {
            _terminal.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Unreachable;
        }

        return ExitCodes.Success;
    }
}
