using Berth.Simulation.Input;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Formats;

/// <summary>
/// Loads one YAML (or JSON) document keeping source marks, and turns every YamlDotNet failure into an
/// <see cref="InputException"/> with the 1-based line, so that no parser exception reaches a user.
/// </summary>
internal static class YamlSource
{
    public static YamlMappingNode LoadRoot(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, "file not found; check the path");
        }

        var text = File.ReadAllText(path);
        return LoadRoot(path, text);
    }

    public static YamlMappingNode LoadRoot(string path, string text)
    {
        if (IsJson(path))
        {
            // JSON is YAML, except that YAML forbids tabs as indentation. A valid JSON file has tabs only
            // as whitespace (a tab inside a string must be escaped), so spaces are an exact substitute.
            text = text.Replace('\t', ' ');
        }

        var stream = new YamlStream();
        var parser = new MarkTrackingParser(new StringReader(text));
        var language = IsJson(path) ? "JSON" : "YAML";
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            var line = (int)Math.Max(1, e.Start.Line);
            var reason = e.InnerException is YamlException inner ? inner.Message : e.Message;
            throw new InputException(path, line, string.Empty, $"the file is not valid {language}: {reason}; fix the syntax near this line");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws some of these without a mark on malformed input; the line
            // after the last good event is where it stopped.
            throw new InputException(path, parser.LastLine, string.Empty, $"the file is not valid {language}: the text after this point cannot be parsed ({e.Message}); fix the syntax near this line");
        }

        if (stream.Documents.Count == 0)
        {
            throw new InputException(path, 0, string.Empty, "the file is empty; it must hold one mapping starting with 'kind:'");
        }

        if (stream.Documents.Count > 1)
        {
            throw new InputException(path, Line(stream.Documents[1].RootNode), string.Empty, $"the file holds {stream.Documents.Count} documents; keep one document per file");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InputException(path, Line(stream.Documents[0].RootNode), string.Empty, "the document is not a mapping; it must start with 'kind:'");
        }

        return root;
    }

    public static bool IsJson(string path) => string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The 1-based line where <paramref name="node"/> starts.</summary>
    public static int Line(YamlNode node) => (int)Math.Max(1, node.Start.Line);
}
