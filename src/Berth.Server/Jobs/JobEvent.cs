namespace Berth.Server.Jobs;

/// <summary>Something that happened to a job, on the server's clock: <see cref="Kind"/> (Submitted, Admitted, Started, Requeued, Succeeded, Cancelled, ...) and a sentence.</summary>
public sealed record JobEvent(DateTimeOffset At, string Kind, string Message);
