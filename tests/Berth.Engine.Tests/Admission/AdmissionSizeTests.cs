using System.Text.RegularExpressions;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// Keeps src/Berth.Engine/Admission readable: no type above 500 lines (partial files summed; every type, the
/// scheduler included, with no exception), no method above 100 (signature to closing brace). Read from the source
/// files with the repository's layout (file-scoped namespaces, four-space indents, braces on their own lines), which
/// every file there follows.
/// </summary>
public sealed partial class AdmissionSizeTests
{
    private const int MaxTypeLines = 500;
    private const int MaxMethodLines = 100;

    [Fact]
    public void Types_AreAtMostAboutFiveHundredLines()
    {
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, lines) in Sources())
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var m = TypeDeclaration().Match(lines[i]);
                if (!m.Success)
                {
                    continue;
                }

                var end = lines[i].TrimEnd().EndsWith(';') ? i : Array.FindIndex(lines, i, l => l == "}");
                Assert.True(end >= 0, $"type {m.Groups["name"].Value}: no closing brace found");
                sizes[m.Groups["name"].Value] = sizes.GetValueOrDefault(m.Groups["name"].Value) + end - i + 1;
            }
        }

        Assert.True(sizes.Count > 20, $"only {sizes.Count} types found: the source layout changed and this test no longer reads it");
        var tooLarge = sizes
            .Where(t => t.Value > MaxTypeLines)
            .Select(t => $"{t.Key}: {t.Value} lines (limit {MaxTypeLines})")
            .ToArray();
        Assert.True(tooLarge.Length == 0, "split these types:\n" + string.Join("\n", tooLarge));
    }

    [Fact]
    public void Methods_AreAtMostAboutOneHundredLines()
    {
        var methods = 0;
        var tooLong = new List<string>();
        foreach (var (file, lines) in Sources())
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var m = MemberWithBody().Match(lines[i]);
                if (!m.Success || lines[i].TrimEnd().EndsWith(';'))
                {
                    continue; // not a member, or a field whose type has a parenthesis (a tuple)
                }

                var indent = m.Groups["indent"].Value;
                var open = i + 1;
                while (open < lines.Length && lines[open].Trim() != "{" && !lines[open].TrimEnd().EndsWith(';'))
                {
                    open++;
                }

                if (open >= lines.Length || lines[open] != indent + "{")
                {
                    continue; // an expression body or an abstract member
                }

                var close = Array.FindIndex(lines, open, l => l == indent + "}");
                methods++;
                if (close - i + 1 > MaxMethodLines)
                {
                    tooLong.Add($"{Path.GetFileName(file)}: {lines[i].Trim()} ({close - i + 1} lines)");
                }
            }
        }

        Assert.True(methods > 100, $"only {methods} methods found: the source layout changed and this test no longer reads it");
        Assert.True(tooLong.Count == 0, "split these methods:\n" + string.Join("\n", tooLong));
    }

    private static IEnumerable<(string File, string[] Lines)> Sources()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
        {
            dir = dir.Parent;
        }

        var folder = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Berth.slnx not found above the test folder"), "src", "Berth.Engine", "Admission");
        return Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(f).ReplaceLineEndings("\n").Split('\n')));
    }

    [GeneratedRegex(@"^(public|internal)\s.*\b(class|record|struct|interface|enum)\s+(?<name>\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^(?<indent> {4}| {8})(public|private|internal|protected)\s[^=;]*\(")]
    private static partial Regex MemberWithBody();
}
