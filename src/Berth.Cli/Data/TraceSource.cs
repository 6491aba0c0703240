namespace Berth.Cli.Data;

/// <summary>
/// Where a public trace is published and under what terms: the files to download below <see cref="BaseUrl"/>,
/// the archives among them to unpack (their <c>.csv</c> entries), and the licence note printed and written
/// beside the data.
/// </summary>
public sealed record TraceSource
{
    /// <summary>The name given to <c>berth data fetch</c>: openb, itp.</summary>
    public required string Name { get; init; }

    /// <summary>What it is, in one line.</summary>
    public required string Title { get; init; }

    /// <summary>The published location, pinned to one commit so the checksums hold; no trailing slash.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>Where a person finds it (the repository page), for the note.</summary>
    public required string Homepage { get; init; }

    public required IReadOnlyList<TraceFile> Files { get; init; }

    /// <summary>Files of <see cref="Files"/> that are .tar.gz archives: their .csv entries are unpacked and the archive dropped.</summary>
    public IReadOnlyList<string> Archives { get; init; } = [];

    /// <summary>The licence or terms, as printed when fetching and written to SOURCE.md beside the data.</summary>
    public required string Licence { get; init; }
}
