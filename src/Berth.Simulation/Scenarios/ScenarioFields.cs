using System.Globalization;
using Berth.Simulation.Formats;
using Berth.Simulation.Input;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// <see cref="YamlFields"/> plus the value kinds a scenario file uses: durations, memory and CPU with
/// units, decimals, booleans, enumerations, nested mappings and lists of mappings. Every bad value is an
/// <see cref="InputException"/> with file, line, field and fix.
/// </summary>
internal sealed class ScenarioFields
{
    private readonly YamlMappingNode _map;

    public ScenarioFields(string file, YamlMappingNode map, string context, IReadOnlyList<string> allowed)
    {
        _map = map;
        Raw = new YamlFields(file, map, context, allowed);
    }

    public YamlFields Raw { get; }

    public string File => Raw.File;

    public string Context => Raw.Context;

    public int Line => Raw.Line;

    public bool Has(string name) => Raw.Has(name);

    public int LineOf(string name) => Raw.LineOf(name);

    public InputException Error(string field, string problem) => Raw.Error(field, problem);

    public string RequiredString(string name, string example) => Raw.RequiredString(name, example);

    public string? OptionalString(string name) => Raw.OptionalString(name);

    public long RequiredLong(string name, long min, long max, string example) => Raw.RequiredLong(name, min, max, example);

    public long? OptionalLong(string name, long min, long max) => Raw.OptionalLong(name, min, max);

    public IReadOnlyDictionary<string, string> StringMap(string name) => Raw.StringMap(name);

    public IReadOnlyList<string> StringList(string name) => Raw.StringList(name);

    public YamlSequenceNode? OptionalSequence(string name) => Raw.OptionalSequence(name);

    /// <summary>The value node of <paramref name="name"/>, or null when absent or null.</summary>
    public YamlNode? Node(string name)
    {
        if (!Raw.Has(name))
        {
            return null;
        }

        foreach (var (key, value) in _map.Children)
        {
            if (key is YamlScalarNode { Value: { } k } && string.Equals(k, name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>A nested mapping, checked against its own allowed fields; null when absent.</summary>
    public ScenarioFields? Mapping(string name, string context, IReadOnlyList<string> allowed)
    {
        var node = Node(name);
        if (node is null)
        {
            return null;
        }

        return node is YamlMappingNode map
            ? new ScenarioFields(File, map, context, allowed)
            : throw Error(name, $"'{name}' in {Context} must be a mapping ('{{field: value, ...}}' or indented 'field: value' lines), not {YamlFields.Describe(node)}");
    }

    /// <summary>The entries of a list whose entries are mappings, each wrapped with its allowed fields.</summary>
    public IReadOnlyList<ScenarioFields> MappingList(string name, string what, IReadOnlyList<string> allowed, bool required)
    {
        var list = required ? Raw.RequiredSequence(name, what) : Raw.OptionalSequence(name);
        if (list is null)
        {
            return [];
        }

        var result = new List<ScenarioFields>(list.Children.Count);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            if (item is not YamlMappingNode map)
            {
                throw new InputException(File, YamlSource.Line(item), name, $"{name}[{i}] is {YamlFields.Describe(item)}; each entry of '{name}' must be a mapping of {what}");
            }

            result.Add(new ScenarioFields(File, map, $"{name}[{i}]", allowed));
        }

        return result;
    }

    /// <summary>True when the field is the text <c>auto</c>.</summary>
    public bool IsAuto(string name) => Node(name) is YamlScalarNode { Value: "auto" };

    public TimeSpan? OptionalDuration(string name)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        return ScenarioUnits.TryParseDuration(text, out var value)
            ? value
            : throw Error(name, $"'{text}' is not a duration; write seconds (90) or a number with a unit s, m, h or d (90s, 10m, 1.5h, 1d, 1h30m), 0 or more, in whole seconds");
    }

    public TimeSpan RequiredDuration(string name, string example) =>
        OptionalDuration(name) ?? throw new InputException(File, Line, name, $"{Context} has no '{name}'; add it, e.g. '{name}: {example}'");

    /// <summary>Memory in MiB: a whole number of MiB, or a number with Mi, Gi or Ti.</summary>
    public long? OptionalMemory(string name)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        return ScenarioUnits.TryParseMemory(text, out var value)
            ? value
            : throw Error(name, $"'{text}' is not an amount of memory; write MiB as a whole number (16384) or a number with Mi, Gi or Ti (512Mi, 16Gi, 1.5Ti), 0 or more, in whole MiB");
    }

    /// <summary>CPU in milli-cores: cores as a number (8, 0.5) or milli-cores with <c>m</c> (500m).</summary>
    public long? OptionalCpu(string name)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        return ScenarioUnits.TryParseCpu(text, out var value)
            ? value
            : throw Error(name, $"'{text}' is not a CPU amount; write cores (8, 0.5) or milli-cores with m (500m), 0 or more, in whole milli-cores");
    }

    /// <summary>GPUs as a number (8, 0.5), returned in milli-GPU.</summary>
    public long? OptionalGpuMilli(string name)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        return ScenarioUnits.TryParseDecimal(text, 1000, out var value) && value >= 0
            ? value
            : throw Error(name, $"'{text}' is not a GPU amount; write a number of GPUs (8, 0.5), 0 or more, in whole milli-GPU");
    }

    public double? OptionalDouble(string name, double min, double max, bool minExclusive)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error(name, $"'{text}' is not a number; write a decimal such as 0.85");
        }

        if (minExclusive ? value <= min : value < min)
        {
            throw Error(name, $"{text} is too small in {Context}; it must be {(minExclusive ? "more than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)}");
        }

        if (value > max)
        {
            throw Error(name, $"{text} is too large in {Context}; it must be at most {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return value;
    }

    public bool? OptionalBool(string name)
    {
        var text = OptionalString(name);
        return text switch
        {
            null => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => throw Error(name, $"'{text}' is not true or false; write 'true' or 'false'"),
        };
    }

    /// <summary>One of <paramref name="choices"/> (text, value), compared ignoring case.</summary>
    public T? OptionalChoice<T>(string name, IReadOnlyList<(string Text, T Value)> choices)
        where T : struct
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        foreach (var (choice, value) in choices)
        {
            if (string.Equals(choice, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw Error(name, $"unknown value '{text}' for '{name}' in {Context}; write one of {string.Join(", ", choices.Select(c => c.Text))}");
    }
}
