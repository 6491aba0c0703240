using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Berth.Simulation.Formats;

/// <summary>
/// A parser that remembers where the last event ended, so that a failure that carries no mark
/// (YamlDotNet's scanner can throw plain exceptions on some malformed input) can still name a line.
/// </summary>
internal sealed class MarkTrackingParser(TextReader reader) : IParser
{
    private readonly Parser _inner = new(reader);

    public ParsingEvent? Current => _inner.Current;

    /// <summary>1-based line where the last parsed event ended (1 before any).</summary>
    public int LastLine { get; private set; } = 1;

    public bool MoveNext()
    {
        var moved = _inner.MoveNext();
        if (_inner.Current is { } current)
        {
            LastLine = (int)Math.Max(1, current.End.Line);
        }

        return moved;
    }
}
