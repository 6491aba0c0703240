namespace Berth.Web;

/// <summary>
/// What the dashboard needs to know about where it runs: <see cref="Source"/> (<c>server</c> or <c>kubernetes</c>),
/// whether it is read-only (no submit form), whether job logs can be read, and who the caller is.
/// </summary>
public sealed record ViewsInfo(string Source, bool ReadOnly, bool Logs, string? User);
