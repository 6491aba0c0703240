namespace Berth.Web;

/// <summary>
/// One run of a job (from every pod bound to its GPUs given back), as showback charges it: a job requeued twice shows
/// three. <see cref="Ended"/> is null while it runs; <see cref="Outcome"/> is the event or final state that ended it.
/// </summary>
public sealed record RunView(int Number, DateTimeOffset Started, DateTimeOffset? Ended, double Gpus, IReadOnlyList<string> Nodes, string? Outcome);
