using Berth.Model.Queueing;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Data locality on Kubernetes. A Job or PodGroup names the datasets it reads in the annotation
/// <c>berth.dev/datasets: imagenet=150Gi,coco=20Gi</c> (each a name and its size as a Kubernetes quantity with a unit) and
/// may wait for nodes that cache them with <c>berth.dev/locality-wait: 10m</c>; a node says it caches a dataset with the
/// label <c>dataset.berth.dev/&lt;name&gt;: "true"</c>. A reference without a size, or a size without a unit, makes the
/// workload invalid with a message naming the annotation and the fix: placement weighs datasets by size, so a guess
/// would be worse than asking.
/// </summary>
public static class DatasetAnnotations
{
    /// <summary>Annotation on a Job or PodGroup: the datasets it reads, <c>name=size</c> pairs separated by commas.</summary>
    public const string DatasetsAnnotation = "berth.dev/datasets";

    /// <summary>Annotation on a Job or PodGroup: how long admission may hold it for nodes that cache all its datasets.</summary>
    public const string LocalityWaitAnnotation = "berth.dev/locality-wait";

    /// <summary>Prefix of the node labels that say which datasets a node caches: <c>dataset.berth.dev/imagenet: "true"</c>.</summary>
    public const string CachedLabelPrefix = "dataset.berth.dev/";

    /// <summary>
    /// Reads the workload annotations of <paramref name="id"/>: its datasets and locality wait; the problem (naming the
    /// annotation and the fix) when they cannot be read, else null.
    /// </summary>
    public static string? Read(IDictionary<string, string>? annotations, string id, out DatasetRef[] datasets, out TimeSpan? localityWait)
    {
        datasets = [];
        localityWait = null;
        var text = ModelMapping.Get(annotations, DatasetsAnnotation);
        var waitText = ModelMapping.Get(annotations, LocalityWaitAnnotation);
        if (waitText is not null)
        {
            if (!ModelMapping.TryDuration(waitText, out var wait))
            {
                return $"{id}: annotation {LocalityWaitAnnotation} is '{waitText}'; {ModelMapping.DurationHint}";
            }

            localityWait = wait;
        }

        if (text is null)
        {
            return localityWait is null ? null : $"{id}: annotation {LocalityWaitAnnotation} is set but {DatasetsAnnotation} is not; name its datasets ({DatasetsAnnotation}: imagenet=150Gi) or drop the wait";
        }

        var list = new List<DatasetRef>();
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? entry : entry[..eq]).Trim();
            var size = eq < 0 ? string.Empty : entry[(eq + 1)..].Trim();
            if (size.Length == 0)
            {
                return $"{id}: annotation {DatasetsAnnotation} names dataset '{name}' with no size; write {DatasetsAnnotation}: {name}=150Gi (its size as a quantity with a unit)";
            }

            if (size[^1] is < 'A' or > 'z' || Quantities.ParseQuantity(size) is not { } quantity || quantity.ToDecimal() <= 0)
            {
                return $"{id}: annotation {DatasetsAnnotation} gives dataset '{name}' the size '{size}'; write a positive quantity with a unit, such as {name}=150Gi or {name}=2T";
            }

            list.Add(new DatasetRef(name, (double)(quantity.ToDecimal() / 1_000_000_000m)));
        }

        if (list.Count == 0)
        {
            return $"{id}: annotation {DatasetsAnnotation} is empty; write {DatasetsAnnotation}: imagenet=150Gi, or remove it";
        }

        datasets = [.. list];
        return null;
    }

    /// <summary>The datasets a node caches, from its <c>dataset.berth.dev/&lt;name&gt;</c> labels whose value is "true", in name order.</summary>
    public static string[] CachedBy(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels
            .Where(l => l.Key.StartsWith(CachedLabelPrefix, StringComparison.Ordinal) && l.Key.Length > CachedLabelPrefix.Length
                && string.Equals(l.Value, "true", StringComparison.OrdinalIgnoreCase))
            .Select(l => l.Key[CachedLabelPrefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
