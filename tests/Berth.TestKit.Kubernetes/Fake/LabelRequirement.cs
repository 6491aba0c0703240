using System.Globalization;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>One requirement of a label selector, e.g. <c>tier in (a,b)</c> or <c>!gpu</c>.</summary>
internal sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            LabelOperator.Equals or LabelOperator.In => has && Values.Contains(value!, StringComparer.Ordinal),
            // As on the real server, != and notin also match objects without the label.
            LabelOperator.NotEquals or LabelOperator.NotIn => !has || !Values.Contains(value!, StringComparer.Ordinal),
            LabelOperator.Exists => has,
            LabelOperator.DoesNotExist => !has,
            LabelOperator.GreaterThan => has && Compare(value!) > 0,
            LabelOperator.LessThan => has && Compare(value!) < 0,
            _ => false,
        };
    }

    private int Compare(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) &&
        long.TryParse(Values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bound)
            ? number.CompareTo(bound)
            : 0;
}
