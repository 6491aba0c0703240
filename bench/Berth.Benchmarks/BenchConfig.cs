using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Berth.Benchmarks;

/// <summary>Adds Median, P95, P99 and Max to the default columns. Percentiles are over BenchmarkDotNet iterations (each the mean of many invocations), not single decisions.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
    }
}

/// <summary>The <paramref name="percentile"/>-th percentile of the iteration times (BenchmarkDotNet 0.15 has P0..P100 presets but no P99).</summary>
public sealed class PercentileColumn(int percentile) : IColumn
{
    public string Id => $"P{percentile}Column";

    public string ColumnName => $"P{percentile}";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Time;

    public string Legend => $"Percentile {percentile} of the iteration times";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null)
        {
            return "NA";
        }

        var ns = stats.Percentiles.Percentile(percentile);
        var unit = style.TimeUnit;
        var (factor, name) = unit is not null
            ? (unit.BaseUnits, unit.Abbreviation)
            : ns >= 1e9 ? (1e9, "s") : ns >= 1e6 ? (1e6, "ms") : ns >= 1e3 ? (1e3, "μs") : (1.0, "ns");
        var value = (ns / factor).ToString("N3", System.Globalization.CultureInfo.InvariantCulture);
        return style.PrintUnitsInContent ? $"{value} {name}" : value;
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
