namespace Berth.Web;

/// <summary>One event of a job, on the server's clock.</summary>
public sealed record EventView(DateTimeOffset At, string Kind, string Message);
