using System.CommandLine;
using Berth.Cli.Remote;
using Berth.Runtime.Yield;
using Berth.Simulation.Reports;
using Berth.Simulation.Input;

namespace Berth.Cli.Commands;

/// <summary><c>berth report usage</c>: showback from a server's store or an operator's ConfigMap (its dashboard port), as a table, CSV or an HTML page with charts.</summary>
internal sealed class ReportCommand
{
    private readonly CliTerminal _terminal;
    private readonly ClientOptions _client = new();
    private readonly Option<string?> _from = new("--from") { Description = "Start of the period, a date or time in UTC such as 2026-12-01 (default: 7 days before --to).", HelpName = "when" };
    private readonly Option<string?> _to = new("--to") { Description = "End of the period (default: now).", HelpName = "when" };
    private readonly Option<string> _format = new("--format") { Description = "table (default), csv or html.", HelpName = "format", DefaultValueFactory = _ => "table" };
    private readonly Option<string?> _out = new("--out") { Description = "Write to this file instead of the terminal (html needs it).", HelpName = "file" };

    private ReportCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var h = new ReportCommand(terminal);
        var usage = new Command("usage", "GPU-hours allocated and used per queue, user and GPU model over a period, priced from the server's price table.") { h._from, h._to, h._format, h._out };
        h._client.AddTo(usage, withOutput: false);
        usage.SetAction(h.Execute);
        var command = new Command("report", "Reports from a Berth server's store.") { usage };
        return command.WithExamples("""
            berth report usage --from 2026-12-01 --to 2026-12-08
            berth report usage --from 2026-11-01 --to 2026-12-01 --format csv --out november.csv
            berth report usage --format html --out usage.html
            berth report usage --server https://127.0.0.1:8444 --token "$(kubectl create token my-sa)" --certificate-authority berth-ca.crt --format csv
                from the operator on Kubernetes (kubectl -n berth-system port-forward deploy/berth-operator 8444:8444): rows per
                queue, namespace, user and GPU model, by whole UTC days; berth-ca.crt is the ca.crt of Secret berth-webhook-tls
            """);
    }

    private int Execute(ParseResult parse)
    {
        var format = parse.GetValue(_format)!;
        if (format is not ("table" or "csv" or "html"))
        {
            throw new InputException($"--format {format}: give table, csv or html");
        }

        var file = parse.GetValue(_out);
        if (format == "html" && file is null)
        {
            throw new InputException("--format html: give --out FILE.html to write the page to");
        }

        var query = new List<string>();
        if (parse.GetValue(_from) is { } from)
        {
            query.Add("from=" + Uri.EscapeDataString(from));
        }

        if (parse.GetValue(_to) is { } to)
        {
            query.Add("to=" + Uri.EscapeDataString(to));
        }

        using var client = _client.Connect(parse, _terminal);
        var usage = client.Get<UsageSummary>("api/v1/usage" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
        using var buffer = new StringWriter();
        switch (format)
        {
            case "csv":
                UsageCsv.Write(buffer, usage);
                break;
            case "html":
                buffer.Write(UsageHtml.Render(usage, "berth " + string.Join(' ', parse.Tokens.Select(t => t.Value))));
                break;
            default:
                // The operator's rows name a namespace (the server's do not): a column for it only then.
                var namespaces = usage.Rows.Any(r => r.Namespace is not null);
                Printing.Table(buffer, ["QUEUE", .. (namespaces ? (string[])["NAMESPACE"] : []), "USER", "GPU MODEL", "JOBS", "ALLOCATED GPU-H", "USED GPU-H", "COST" + (usage.Currency is { } c ? " " + c : string.Empty)],
                    usage.Rows.Select(r => (IReadOnlyList<string>)[r.Queue, .. (namespaces ? (string[])[r.Namespace ?? "-"] : []), r.User, r.GpuModel, r.Jobs.ToString(System.Globalization.CultureInfo.InvariantCulture), Printing.Number(r.AllocatedGpuHours), Printing.Number(r.UsedGpuHours), r.Cost is { } cost ? Printing.Number(cost) : "-"]));
                break;
        }

        if (file is null)
        {
            _terminal.Out.Write(buffer.ToString());
        }
        else
        {
            File.WriteAllText(file, buffer.ToString());
            _terminal.Out.WriteLine($"Wrote {file}");
        }

        return ExitCodes.Success;
    }
}
