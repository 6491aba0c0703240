using System.Globalization;
using Berth.Model;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>Small conversions shared by the translators: taints, tolerations, durations, integer lists.</summary>
internal static class ModelMapping
{
    public const string DurationHint = "write a duration such as 90s, 10m, 1h30m or 1d";

    /// <summary>A Kubernetes taint effect; null for an empty or unknown one.</summary>
    public static TaintEffect? Effect(string? effect) => effect switch
    {
        "NoSchedule" => TaintEffect.NoSchedule,
        "PreferNoSchedule" => TaintEffect.PreferNoSchedule,
        "NoExecute" => TaintEffect.NoExecute,
        _ => null,
    };

    /// <summary>The model's toleration, or null with the problem (without a field path) when it is not a valid Kubernetes toleration.</summary>
    public static Toleration? ToToleration(V1Toleration toleration, out string? problem)
    {
        problem = null;
        var key = string.IsNullOrEmpty(toleration.Key) ? null : toleration.Key;
        TolerationOperator op;
        switch (toleration.OperatorProperty)
        {
            case null or "" or "Equal":
                op = TolerationOperator.Equal;
                break;
            case "Exists":
                op = TolerationOperator.Exists;
                break;
            default:
                problem = $"operator is '{toleration.OperatorProperty}'; write Equal or Exists";
                return null;
        }

        if (key is null && op == TolerationOperator.Equal)
        {
            problem = "has no key with operator Equal; give the taint's key, or use operator Exists to tolerate every taint";
            return null;
        }

        if (op == TolerationOperator.Exists && !string.IsNullOrEmpty(toleration.Value))
        {
            problem = $"has value '{toleration.Value}' with operator Exists; remove the value or use operator Equal";
            return null;
        }

        TaintEffect? effect = null;
        if (!string.IsNullOrEmpty(toleration.Effect))
        {
            effect = Effect(toleration.Effect);
            if (effect is null)
            {
                problem = $"effect is '{toleration.Effect}'; write NoSchedule, PreferNoSchedule or NoExecute, or leave it out for all effects";
                return null;
            }
        }

        return new Toleration(key, op, string.IsNullOrEmpty(toleration.Value) ? null : toleration.Value, effect);
    }

    /// <summary>The model's taint, or null with the problem when the key is empty or the effect unknown.</summary>
    public static Taint? ToTaint(V1Taint taint, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(taint.Key))
        {
            problem = "has no key; give the taint a key";
            return null;
        }

        if (Effect(taint.Effect) is not { } effect)
        {
            problem = $"effect is '{taint.Effect}'; write NoSchedule, PreferNoSchedule or NoExecute";
            return null;
        }

        return new Taint(taint.Key, string.IsNullOrEmpty(taint.Value) ? null : taint.Value, effect);
    }

    /// <summary>A duration as scenario files write it (<c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>1d</c>, or seconds).</summary>
    public static bool TryDuration(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        return text is not null && DurationText.TryParse(text, out value);
    }

    /// <summary>A comma-separated list of integers (spaces allowed); false when an element is not an integer.</summary>
    public static bool TryIntList(string text, out List<int> values)
    {
        values = [];
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            values.Add(value);
        }

        return true;
    }

    /// <summary>An annotation's or label's value; null when absent.</summary>
    public static string? Get(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    /// <summary>A copy of a Kubernetes string map (null: empty), for the model's read-only maps.</summary>
    public static IReadOnlyDictionary<string, string> Copy(IDictionary<string, string>? map)
    {
        var copy = new Dictionary<string, string>(map?.Count ?? 0, StringComparer.Ordinal);
        if (map is not null)
        {
            foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                copy[key] = value;
            }
        }

        return copy;
    }

    /// <summary>The message of a model exception without .NET's " (Parameter 'x')" suffix and without its owner prefix (<c>queue a: </c>).</summary>
    public static string Problem(ArgumentException e, string ownerPrefix)
    {
        var message = e.Message;
        var suffix = e.ParamName is null ? null : $" (Parameter '{e.ParamName}')";
        if (suffix is not null && message.EndsWith(suffix, StringComparison.Ordinal))
        {
            message = message[..^suffix.Length];
        }

        return message.StartsWith(ownerPrefix, StringComparison.Ordinal) ? message[ownerPrefix.Length..] : message;
    }
}
