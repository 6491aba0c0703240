namespace Berth.Kubernetes.Dra;

/// <summary>What one CEL selector said of one device: a match or not, or an error (then nothing is allocated).</summary>
internal readonly record struct SelectorOutcome(bool Matches, string? Error)
{
    public static readonly SelectorOutcome Yes = new(true, null);
    public static readonly SelectorOutcome No = new(false, null);
}
