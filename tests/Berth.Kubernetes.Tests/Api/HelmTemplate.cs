using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Berth.Kubernetes.Tests.Api;

/// <summary>
/// Renders the Berth chart's templates without helm (which CI does not have), for the subset of Go templates
/// the chart keeps to: <c>{{ .Values.x }}</c>, <c>.Release.Name</c>, <c>.Release.Namespace</c>, <c>if</c>/<c>else</c>/<c>end</c>,
/// and the functions <c>quote</c>, <c>toYaml</c>, <c>nindent</c>, <c>indent</c>; <c>{{-</c> and <c>-}}</c> trim whitespace
/// as in Go. Anything else is refused, so a template that grows beyond the subset fails the tests instead of
/// being rendered wrongly. A missing value is an error (helm would print nothing), which catches typos.
/// </summary>
internal static partial class HelmTemplate
{
    /// <summary>Values from YAML, with <c>true</c>/<c>false</c> and integers typed as helm types them.</summary>
    public static Dictionary<string, object?> LoadValues(string yaml) =>
        (Dictionary<string, object?>)Normalize(new DeserializerBuilder().Build().Deserialize<object>(yaml) ?? new Dictionary<object, object>())!;

    /// <summary>Merges <paramref name="overrides"/> into <paramref name="values"/> (maps merged key by key, anything else replaced), as <c>--set</c> does.</summary>
    public static Dictionary<string, object?> Merge(Dictionary<string, object?> values, Dictionary<string, object?> overrides)
    {
        var merged = new Dictionary<string, object?>(values, StringComparer.Ordinal);
        foreach (var (key, value) in overrides)
        {
            merged[key] = merged.GetValueOrDefault(key) is Dictionary<string, object?> a && value is Dictionary<string, object?> b ? Merge(a, b) : value;
        }

        return merged;
    }

    public static string Render(string template, Dictionary<string, object?> values, string releaseName, string releaseNamespace)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Values"] = values,
            ["Release"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Name"] = releaseName, ["Namespace"] = releaseNamespace },
        };

        // Lex into text and actions; trim markers cut the whitespace of the neighbouring text, whatever the conditions.
        var texts = new List<string>();
        var actions = new List<string>();
        var last = 0;
        foreach (Match m in Action().Matches(template))
        {
            var text = template[last..m.Index];
            if (m.Groups[1].Success)
            {
                text = text.TrimEnd();
            }

            texts.Add(text);
            actions.Add(m.Groups[2].Value);
            last = m.Index + m.Length;
            if (m.Groups[3].Success)
            {
                while (last < template.Length && char.IsWhiteSpace(template[last]))
                {
                    last++;
                }
            }
        }

        texts.Add(template[last..]);
        var output = new StringBuilder();
        var active = new Stack<(bool Taken, bool Parent)>();
        bool Active() => active.Count == 0 || active.Peek() is (true, true);
        for (var i = 0; i < texts.Count; i++)
        {
            if (Active())
            {
                output.Append(texts[i]);
            }

            if (i == actions.Count)
            {
                break;
            }

            var action = actions[i];
            if (action.StartsWith("if ", StringComparison.Ordinal))
            {
                var parent = Active();
                active.Push((parent && Truthy(Evaluate(action[3..].Trim(), root, allowMissing: true)), parent));
            }
            else if (action == "else")
            {
                var (taken, parent) = active.Count > 0 ? active.Pop() : throw new FormatException("{{ else }} without {{ if }}");
                active.Push((!taken, parent));
            }
            else if (action == "end")
            {
                _ = active.Count > 0 ? active.Pop() : throw new FormatException("{{ end }} without {{ if }}");
            }
            else if (Active())
            {
                output.Append(Format(Evaluate(action, root, allowMissing: false)));
            }
        }

        return active.Count == 0 ? output.ToString() : throw new FormatException("{{ if }} without {{ end }}");
    }

    private static object? Evaluate(string pipeline, Dictionary<string, object?> root, bool allowMissing)
    {
        var stages = pipeline.Split('|', StringSplitOptions.TrimEntries);
        var first = stages[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        object? value = first switch
        {
            ["toYaml", var path] => ToYaml(Lookup(path, root, allowMissing)),
            [var path] when path.StartsWith('.') => Lookup(path, root, allowMissing),
            _ => throw Unsupported(pipeline),
        };
        foreach (var stage in stages.Skip(1))
        {
            var call = stage.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            value = call switch
            {
                ["quote"] => "\"" + Format(value).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                ["nindent", var n] => "\n" + Indent(Format(value), int.Parse(n, CultureInfo.InvariantCulture)),
                ["indent", var n] => Indent(Format(value), int.Parse(n, CultureInfo.InvariantCulture)),
                _ => throw Unsupported(pipeline),
            };
        }

        return value;
    }

    private static object? Lookup(string path, Dictionary<string, object?> root, bool allowMissing)
    {
        object? current = root;
        foreach (var key in path.TrimStart('.').Split('.'))
        {
            if (current is Dictionary<string, object?> map && map.TryGetValue(key, out var next))
            {
                current = next;
            }
            else if (allowMissing)
            {
                return null;
            }
            else
            {
                throw new KeyNotFoundException($"{path}: no such value (values.yaml or the test's overrides must define it)");
            }
        }

        return current;
    }

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long n => n != 0,
        string s => s.Length > 0,
        Dictionary<string, object?> map => map.Count > 0,
        List<object?> list => list.Count > 0,
        _ => true,
    };

    private static string Format(object? value) => value switch
    {
        null => throw new FormatException("a value to print is missing"),
        bool b => b ? "true" : "false",
        long n => n.ToString(CultureInfo.InvariantCulture),
        string s => s,
        _ => ToYaml(value),
    };

    private static string ToYaml(object? value) => new SerializerBuilder().Build().Serialize(value).TrimEnd('\n', '\r');

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));

    private static object? Normalize(object? node) => node switch
    {
        Dictionary<object, object> map => map.ToDictionary(p => (string)p.Key, p => Normalize(p.Value), StringComparer.Ordinal),
        List<object> list => list.Select(Normalize).ToList(),
        "true" => true,
        "false" => false,
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => node,
    };

    private static NotSupportedException Unsupported(string pipeline) => new(
        $"{{{{ {pipeline} }}}}: the chart's templates keep to values, .Release.Name/.Namespace, if/else/end, quote, toYaml, nindent and indent, so that tests render them without helm");

    [GeneratedRegex(@"\{\{(-)?\s*(.*?)\s*(-)?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();
}
