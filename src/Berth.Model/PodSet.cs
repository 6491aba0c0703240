namespace Berth.Model;

/// <summary>A group of identical pods of one workload (for example the workers of a training job).</summary>
public sealed record PodSet(string Name, int Count, Pod Template)
{
    /// <summary>The fewest pods the set can run with (elastic jobs); equal to <see cref="Count"/> when not elastic.</summary>
    public int MinCount { get; init; } = Count;
}
