using System.Globalization;
using System.Text;

namespace Berth.Cli.Tests.Chaos;

/// <summary>What a chaos run did and found. <see cref="Table"/> is what <c>scenario chaos</c> prints.</summary>
public sealed record ChaosResult
{
    public required ChaosOptions Options { get; init; }

    public required IReadOnlyDictionary<KillMoment, int> Kills { get; init; }

    public required IReadOnlyDictionary<ChaosInvariant, int> Checks { get; init; }

    public required IReadOnlyList<ChaosViolation> Violations { get; init; }

    public required int Submitted { get; init; }

    public required int Admitted { get; init; }

    public required int Finished { get; init; }

    public required int Bindings { get; init; }

    public required int Replicas { get; init; }

    public required double Seconds { get; init; }

    /// <summary>The replicas' logs (kept when there were violations or a folder was asked for).</summary>
    public required string LogFolder { get; init; }

    public int TotalKills => Kills.Values.Sum();

    public string Table()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(string.Create(inv, $"chaos: seed {Options.Seed}, {TotalKills} SIGKILLs of 2 berth operator replicas ({Replicas} processes started), lease {Options.LeaseDuration}/{Options.RenewDeadline}/{Options.RetryPeriod}, {Options.Nodes} nodes x {Options.GpusPerNode} GPUs, {Options.Queues} queues of {Options.NominalGpus}+{Options.BorrowingLimitGpus} GPUs"));
        text.AppendLine(string.Create(inv, $"workloads: {Submitted} submitted, {Admitted} admitted, {Finished} finished; {Bindings} bindings; {Seconds:F0} s"));
        text.AppendLine();
        text.AppendLine("| kill moment | kills |");
        text.AppendLine("|---|---:|");
        foreach (var moment in Enum.GetValues<KillMoment>())
        {
            text.AppendLine(string.Create(inv, $"| {moment} | {Kills.GetValueOrDefault(moment)} |"));
        }

        text.AppendLine();
        text.AppendLine("| invariant | checks | violations |");
        text.AppendLine("|---|---:|---:|");
        foreach (var invariant in Enum.GetValues<ChaosInvariant>())
        {
            text.AppendLine(string.Create(inv, $"| {invariant} | {Checks.GetValueOrDefault(invariant)} | {Violations.Count(v => v.Invariant == invariant)} |"));
        }

        foreach (var violation in Violations.Take(50))
        {
            text.AppendLine(violation.ToString());
        }

        text.AppendLine(Violations.Count == 0 ? "0 violations" : string.Create(inv, $"{Violations.Count} violations; replica logs in {LogFolder}"));
        return text.ToString();
    }
}
