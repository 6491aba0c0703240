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
        if (Directory.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, FolderProblem(path, "a file"));
        }

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
            var reason = (e.InnerException is YamlException inner ? inner.Message : e.Message).Trim().TrimEnd('.');
            throw new InputException(path, line, string.Empty, $"the file is not valid {language}: {PrintableText.Of(Lowercase(reason), 200)}; fix the syntax near this line");
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

    /// <summary>What to say when a folder is given where <paramref name="expected"/> is: the YAML files in it, if any.</summary>
    public static string FolderProblem(string path, string expected)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(path, "*.y*ml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).Take(5).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            candidates = [];
        }

        var hint = candidates.Length > 0 ? $", e.g. {Path.Combine(path, candidates[0])} (files here: {string.Join(", ", candidates)})" : string.Empty;
        return $"is a folder, not {expected}; give the path of {expected} inside it{hint}";
    }

    /// <summary>YamlDotNet's sentence, continuing ours: "While scanning ..." becomes "while scanning ...".</summary>
    private static string Lowercase(string text) => text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    public static bool IsJson(string path) => string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The 1-based line where <paramref name="node"/> starts.</summary>
    public static int Line(YamlNode node) => (int)Math.Max(1, node.Start.Line);
}
