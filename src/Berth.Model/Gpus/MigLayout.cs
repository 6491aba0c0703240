using System.Globalization;

namespace Berth.Model.Gpus;

/// <summary>
/// The MIG instances one GPU is partitioned into. Immutable; whether NVIDIA allows it is checked by
/// <see cref="MigGeometry.Problem"/>, and <see cref="MigGeometry.Arrange"/> gives instances without a start one.
/// </summary>
public sealed record MigLayout
{
    public MigLayout(IReadOnlyList<MigInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        Instances = instances.ToArray();
    }

    /// <summary>The instances in the order they were written.</summary>
    public IReadOnlyList<MigInstance> Instances { get; }

    /// <summary>A GPU with MIG enabled and no instance yet.</summary>
    public static MigLayout Empty { get; } = new([]);

    /// <summary>True when every instance has a start offset.</summary>
    public bool IsPlaced => Instances.All(i => i.Start is not null);

    /// <summary>
    /// Reads a layout written as instance texts, each <c>profile</c> or <c>profile@start</c>
    /// (for example <c>["3g.40gb@4", "2g.20gb", "1g.10gb"]</c>). Throws <see cref="FormatException"/> naming the entry
    /// and the fix when one is malformed; whether the profiles exist is the geometry's question.
    /// </summary>
    public static MigLayout Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var instances = new List<MigInstance>();
        foreach (var raw in entries)
        {
            var text = raw?.Trim() ?? "";
            var at = text.IndexOf('@', StringComparison.Ordinal);
            var profile = at < 0 ? text : text[..at];
            if (profile.Length == 0)
            {
                throw new FormatException($"MIG instance '{raw}' has no profile; write a profile such as '3g.40gb', optionally with a start: '3g.40gb@4'");
            }

            if (profile.StartsWith(GpuResourceNames.MigPrefix, StringComparison.Ordinal) || profile.StartsWith("mig-", StringComparison.Ordinal))
            {
                throw new FormatException($"MIG instance '{raw}' names a resource, not a profile; write the profile alone, such as '{profile[(profile.IndexOf("mig-", StringComparison.Ordinal) + 4)..]}'");
            }

            int? start = null;
            if (at >= 0)
            {
                if (!int.TryParse(text[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                {
                    throw new FormatException($"MIG instance '{raw}' has start '{text[(at + 1)..]}'; write a memory-slice offset such as '{profile}@0'");
                }

                start = s;
            }

            instances.Add(new MigInstance(profile, start));
        }

        return new MigLayout(instances);
    }

    public bool Equals(MigLayout? other) => other is not null && Instances.SequenceEqual(other.Instances);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var instance in Instances)
        {
            hash.Add(instance);
        }

        return hash.ToHashCode();
    }

    /// <summary>The layout as written in files, instances separated by commas.</summary>
    public override string ToString() => string.Join(", ", Instances);
}
