using System.Text;
using Berth.Simulation.Metrics;

namespace Berth.Simulation.Reports;

/// <summary>Writes every report file of a set of runs into one folder.</summary>
public static class ReportWriter
{
    public static readonly IReadOnlyList<string> FileNames = [SummaryCsv.FileName, CurvesCsv.FileName, HtmlReport.FileName, RunsJson.FileName];

    /// <summary>Writes summary.csv, curves.csv, report.html and runs.json into <paramref name="directory"/>, which must exist.</summary>
    public static void WriteAll(string directory, ReportInfo info, IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(runs);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        using (var writer = new StreamWriter(Path.Combine(directory, SummaryCsv.FileName), append: false, utf8))
        {
            SummaryCsv.Write(writer, runs);
        }

        using (var writer = new StreamWriter(Path.Combine(directory, CurvesCsv.FileName), append: false, utf8))
        {
            CurvesCsv.Write(writer, runs);
        }

        File.WriteAllText(Path.Combine(directory, HtmlReport.FileName), HtmlReport.Render(info, runs), utf8);
        using var json = File.Create(Path.Combine(directory, RunsJson.FileName));
        RunsJson.Write(json, info, runs);
    }
}
