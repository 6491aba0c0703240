using System.Globalization;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Formats;

/// <summary>
/// Strict typed access to one YAML mapping: rejects fields outside <c>allowed</c> (suggesting the
/// nearest known name), and reports every bad value with file, line, field and fix.
/// </summary>
internal sealed class YamlFields
{
    private readonly string _file;
    private readonly YamlMappingNode _map;
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _fields = new(StringComparer.Ordinal);

    public YamlFields(string file, YamlMappingNode map, string context, IReadOnlyList<string> allowed)
    {
        _file = file;
        _map = map;
        Context = context;
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                throw new InputException(file, YamlSource.Line(keyNode), string.Empty, $"{context} has a key that is not a plain name; write 'field: value'");
            }

            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                var hint = Nearest(key, allowed) is { } near ? $"did you mean '{near}'? " : string.Empty;
                throw new InputException(file, YamlSource.Line(keyNode), key, $"unknown field '{key}' in {context}; {hint}the fields allowed here are {string.Join(", ", allowed)}");
            }

            _fields[key] = (scalarKey, value);
        }
    }

    public string Context { get; }

    public string File => _file;

    /// <summary>Line of the mapping itself (for fields that are missing).</summary>
    public int Line => YamlSource.Line(_map);

    public bool Has(string name) => _fields.ContainsKey(name) && !IsNull(_fields[name].Value);

    /// <summary>The line of a field's value, or of the mapping when the field is absent.</summary>
    public int LineOf(string name) => _fields.TryGetValue(name, out var f) ? YamlSource.Line(f.Value) : Line;

    public InputException Error(string field, string problem) => new(_file, LineOf(field), field, problem);

    public string RequiredString(string name, string example)
    {
        var value = OptionalString(name);
        if (value is null)
        {
            throw new InputException(_file, Line, name, $"{Context} has no '{name}'; add it, e.g. '{name}: {example}'");
        }

        if (value.Length == 0)
        {
            throw Error(name, $"'{name}' is empty in {Context}; write a value, e.g. '{name}: {example}'");
        }

        return value;
    }

    public string? OptionalString(string name)
    {
        if (!Has(name))
        {
            return null;
        }

        return ScalarText(name, _fields[name].Value, "a text value");
    }

    public long RequiredLong(string name, long min, long max, string example)
    {
        if (!Has(name))
        {
            throw new InputException(_file, Line, name, $"{Context} has no '{name}'; add it, e.g. '{name}: {example}'");
        }

        return Long(name, min, max);
    }

    public long? OptionalLong(string name, long min, long max) => Has(name) ? Long(name, min, max) : null;

    /// <summary>A <c>true</c>/<c>false</c> field; null when absent. Anything else is an error naming the field.</summary>
    public bool? OptionalBool(string name) => OptionalString(name) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var other => throw Error(name, $"'{name}' is '{other}' in {Context}; write true or false"),
    };

    /// <summary>
    /// CPU in milli-cores, written either as <c>cpu</c> (cores as Kubernetes writes them: 96, 0.5, 500m) or as
    /// <c>cpuMilli</c> (milli-cores, the older spelling), never both; null when neither is there.
    /// </summary>
    public long? OptionalCpu()
    {
        if (Has("cpu") && Has("cpuMilli"))
        {
            throw Error("cpuMilli", $"{Context} sets both 'cpu' and 'cpuMilli'; keep one ('cpu: 96' is 96 cores, the same as 'cpuMilli: 96000')");
        }

        if (Has("cpuMilli"))
        {
            return Long("cpuMilli", 0, long.MaxValue);
        }

        var text = OptionalString("cpu");
        if (text is null)
        {
            return null;
        }

        return ScenarioUnits.TryParseCpu(text, out var value)
            ? value
            : throw Error("cpu", $"'{text}' is not a CPU amount; write cores (96, 0.5) or milli-cores with m (500m), 0 or more, in whole milli-cores");
    }

    /// <summary>CPU in milli-cores (see <see cref="OptionalCpu"/>), required; the example is in cores.</summary>
    public long RequiredCpu(string cores) =>
        OptionalCpu() ?? throw new InputException(_file, Line, "cpu", $"{Context} has no 'cpu'; add it, e.g. 'cpu: {cores}' (cores; or milli-cores as 'cpuMilli')");

    /// <summary>
    /// Memory in MiB, written either as <c>memory</c> (a Kubernetes-style quantity: 1024Gi, 512Mi, 1.5Ti, or a
    /// whole number of MiB) or as <c>memoryMiB</c> (the older spelling), never both; null when neither is there.
    /// </summary>
    public long? OptionalMemory()
    {
        if (Has("memory") && Has("memoryMiB"))
        {
            throw Error("memoryMiB", $"{Context} sets both 'memory' and 'memoryMiB'; keep one ('memory: 16Gi' is the same as 'memoryMiB: 16384')");
        }

        if (Has("memoryMiB"))
        {
            return Long("memoryMiB", 0, long.MaxValue);
        }

        var text = OptionalString("memory");
        if (text is null)
        {
            return null;
        }

        return ScenarioUnits.TryParseMemory(text, out var value)
            ? value
            : throw Error("memory", $"'{text}' is not an amount of memory; write a number with Mi, Gi or Ti (512Mi, 16Gi, 1.5Ti) or whole MiB (16384), 0 or more, in whole MiB");
    }

    /// <summary>Memory in MiB (see <see cref="OptionalMemory"/>), required.</summary>
    public long RequiredMemory(string example) =>
        OptionalMemory() ?? throw new InputException(_file, Line, "memory", $"{Context} has no 'memory'; add it, e.g. 'memory: {example}' (or MiB as 'memoryMiB')");

    public YamlSequenceNode? OptionalSequence(string name)
    {
        if (!Has(name))
        {
            return null;
        }

        return _fields[name].Value as YamlSequenceNode
            ?? throw Error(name, $"'{name}' in {Context} must be a list (entries starting with '- ')");
    }

    public YamlSequenceNode RequiredSequence(string name, string what)
    {
        var list = OptionalSequence(name)
            ?? throw new InputException(_file, Line, name, $"{Context} has no '{name}'; add a list of {what}");
        if (list.Children.Count == 0)
        {
            throw Error(name, $"'{name}' is empty; list at least one of the {what}");
        }

        return list;
    }

    /// <summary>A nested mapping with its own allowed fields (for example <c>gpuSharing</c>); null when absent.</summary>
    public YamlFields? OptionalMapping(string name, string context, IReadOnlyList<string> allowed)
    {
        if (!Has(name))
        {
            return null;
        }

        return _fields[name].Value is YamlMappingNode map
            ? new YamlFields(_file, map, context, allowed)
            : throw Error(name, $"'{name}' in {Context} must be a mapping of 'field: value' lines");
    }

    /// <summary>A mapping of text to text (labels, node selectors), keys in file order.</summary>
    public IReadOnlyDictionary<string, string> StringMap(string name)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Has(name))
        {
            return result;
        }

        if (_fields[name].Value is not YamlMappingNode map)
        {
            throw Error(name, $"'{name}' in {Context} must be a mapping of 'key: value' lines");
        }

        foreach (var (key, value) in map.Children)
        {
            var keyText = ScalarText(name, key, "a text key");
            if (keyText.Length == 0)
            {
                throw new InputException(_file, YamlSource.Line(key), name, $"'{name}' in {Context} has an empty key; write 'key: value'");
            }

            result[keyText] = IsNull(value) ? string.Empty : ScalarText(name, value, "a text value");
        }

        return result;
    }

    /// <summary>A list of text values.</summary>
    public IReadOnlyList<string> StringList(string name)
    {
        var list = OptionalSequence(name);
        if (list is null)
        {
            return [];
        }

        var result = new List<string>(list.Children.Count);
        foreach (var item in list.Children)
        {
            var text = ScalarText(name, item, "a text value");
            if (text.Length == 0)
            {
                throw new InputException(_file, YamlSource.Line(item), name, $"'{name}' in {Context} has an empty entry; remove it");
            }

            result.Add(text);
        }

        return result;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "a value",
    };

    private long Long(string name, long min, long max)
    {
        var node = _fields[name].Value;
        var text = ScalarText(name, node, "a whole number");
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new InputException(_file, YamlSource.Line(node), name, $"'{text}' is not a whole number; write an integer such as {Math.Max(min, Math.Min(max, 1000))}");
        }

        if (value < min)
        {
            var rule = min == 0 ? "it must be 0 or more" : $"it must be at least {min}";
            throw new InputException(_file, YamlSource.Line(node), name, $"{value} is too small in {Context}; {rule}");
        }

        if (value > max)
        {
            throw new InputException(_file, YamlSource.Line(node), name, $"{value} is too large in {Context}; it must be at most {max}");
        }

        return value;
    }

    private string ScalarText(string name, YamlNode node, string expected)
    {
        if (node is not YamlScalarNode scalar)
        {
            throw new InputException(_file, YamlSource.Line(node), name, $"'{name}' in {Context} must be {expected}, not {Describe(node)}");
        }

        return scalar.Value ?? string.Empty;
    }

    /// <summary>An empty plain scalar, <c>~</c> or <c>null</c> count as absent, as YAML and JSON mean them.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && (string.IsNullOrEmpty(scalar.Value) || scalar.Value is "~" or "null" or "Null" or "NULL");

    private static string? Nearest(string key, IReadOnlyList<string> allowed)
    {
        string? best = null;
        var bestDistance = double.MaxValue;
        foreach (var candidate in allowed)
        {
            // Among equally near names, one that extends the key (gpu: gpus, not cpu) is the likelier meaning.
            var upperKey = key.ToUpperInvariant();
            var upperCandidate = candidate.ToUpperInvariant();
            var distance = Distance(upperKey, upperCandidate) - (upperCandidate.StartsWith(upperKey, StringComparison.Ordinal) || upperKey.StartsWith(upperCandidate, StringComparison.Ordinal) ? 0.5 : 0);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
