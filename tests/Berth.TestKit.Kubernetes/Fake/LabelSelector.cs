using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// A label selector, from the query string (<c>a=b,c!=d,e,!f,g in (x,y),h notin (z),n&gt;3</c>) or from a
/// <c>metav1.LabelSelector</c> object (matchLabels + matchExpressions). All requirements must hold.
/// </summary>
internal sealed partial class LabelSelector
{
    private readonly IReadOnlyList<LabelRequirement> requirements;
    private readonly bool matchesNothing;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing)
    {
        this.requirements = requirements;
        this.matchesNothing = matchesNothing;
    }

    public static LabelSelector Everything { get; } = new([], matchesNothing: false);

    public bool IsEverything => !matchesNothing && requirements.Count == 0;

    /// <summary>Parses the query-string form; an empty or missing string selects everything.</summary>
    public static bool TryParse(string? text, out LabelSelector selector, out string error)
    {
        selector = Everything;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var parsed = new List<LabelRequirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var requirement = ParseRequirement(part.Trim());
            if (requirement is null)
            {
                error = $"unable to parse requirement: \"{part.Trim()}\" in label selector \"{text}\"";
                return false;
            }

            parsed.Add(requirement);
        }

        selector = new LabelSelector(parsed, matchesNothing: false);
        return true;
    }

    /// <summary>
    /// The structured form used by PodDisruptionBudgets and similar: a missing selector matches nothing,
    /// an empty one matches everything (policy/v1 semantics).
    /// </summary>
    public static LabelSelector FromObject(JsonNode? selector)
    {
        if (selector is not JsonObject obj)
        {
            return new LabelSelector([], matchesNothing: true);
        }

        var parsed = new List<LabelRequirement>();
        if (obj["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                parsed.Add(new LabelRequirement(key, LabelOperator.Equals, [JsonMeta.Scalar(value) ?? ""]));
            }
        }

        if (obj["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions)
            {
                var key = JsonMeta.Text(expression, "key") ?? "";
                var values = expression?["values"] is JsonArray list
                    ? list.Select(v => JsonMeta.Scalar(v) ?? "").ToList()
                    : [];
                var op = JsonMeta.Text(expression, "operator") switch
                {
                    "In" => LabelOperator.In,
                    "NotIn" => LabelOperator.NotIn,
                    "Exists" => LabelOperator.Exists,
                    "DoesNotExist" => LabelOperator.DoesNotExist,
                    var other => throw new InvalidOperationException($"Unknown label selector operator '{other}'."),
                };
                parsed.Add(new LabelRequirement(key, op, values));
            }
        }

        return new LabelSelector(parsed, matchesNothing: false);
    }

    public bool Matches(JsonObject obj) => IsEverything || Matches(JsonMeta.Labels(obj));

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        if (matchesNothing)
        {
            return false;
        }

        foreach (var requirement in requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    private static LabelRequirement? ParseRequirement(string text)
    {
        var set = SetRequirement().Match(text);
        if (set.Success)
        {
            var values = set.Groups["values"].Value
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var op = set.Groups["op"].Value == "in" ? LabelOperator.In : LabelOperator.NotIn;
            return new LabelRequirement(set.Groups["key"].Value, op, values);
        }

        var binary = BinaryRequirement().Match(text);
        if (binary.Success)
        {
            var op = binary.Groups["op"].Value switch
            {
                "!=" => LabelOperator.NotEquals,
                ">" => LabelOperator.GreaterThan,
                "<" => LabelOperator.LessThan,
                _ => LabelOperator.Equals,
            };
            return new LabelRequirement(binary.Groups["key"].Value, op, [binary.Groups["value"].Value.Trim()]);
        }

        var exists = ExistsRequirement().Match(text);
        if (exists.Success)
        {
            var op = exists.Groups["not"].Success ? LabelOperator.DoesNotExist : LabelOperator.Exists;
            return new LabelRequirement(exists.Groups["key"].Value, op, []);
        }

        return null;
    }

    /// <summary>Splits on commas outside parentheses, so <c>a in (x,y),b</c> is two requirements.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9_./-]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetRequirement();

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9_./-]+)\s*(?<op>==|!=|=|>|<)\s*(?<value>[A-Za-z0-9_.-]*)$")]
    private static partial Regex BinaryRequirement();

    [GeneratedRegex(@"^(?<not>!)?\s*(?<key>[A-Za-z0-9_./-]+)$")]
    private static partial Regex ExistsRequirement();
}
