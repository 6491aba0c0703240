namespace Berth.Cli.Import;

/// <summary>A Kueue WorkloadPriorityClass: name, value and description.</summary>
internal sealed record ImportedPriorityClass(string Name, long Value, string? Description);
