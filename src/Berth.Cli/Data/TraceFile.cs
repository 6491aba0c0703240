namespace Berth.Cli.Data;

/// <summary>
/// One file of a published trace: its path below the source's base URL, the SHA-256 of the published bytes
/// (null where none is known) and its size in bytes (0 where unknown; only used for the progress bar).
/// </summary>
public sealed record TraceFile(string Path, string? Sha256, long Size);
