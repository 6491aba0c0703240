namespace Berth.Cli.Tests.Chaos;

/// <summary>One broken invariant: which one, after how many kills, and what exactly.</summary>
public sealed record ChaosViolation(ChaosInvariant Invariant, int AfterKills, string Message)
{
    public override string ToString() => $"[{Invariant}] after {AfterKills} kills: {Message}";
}
