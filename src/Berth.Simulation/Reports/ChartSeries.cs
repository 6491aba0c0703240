namespace Berth.Simulation.Reports;

/// <summary>One line of a chart: a name for the legend, a CSS colour and points in data units, sorted by X.</summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);
