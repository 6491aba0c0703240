using System.Collections.Concurrent;
using System.Globalization;

namespace Berth.TestKit;

/// <summary>
/// Counts the operations the property tests check: one scheduling, placement, admission or planning step followed by
/// an invariant check counts once (a step whose check is skipped does not count). Tests add what they ran and print
/// their share and the running total of the test process through their output; the process's total is the suite's
/// figure per test project. Thread-safe (xUnit runs test classes in parallel).
/// </summary>
public static class CheckedOperations
{
    private static readonly ConcurrentDictionary<string, long> ByArea = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="operations"/> checked operations of <paramref name="area"/> (placement, admission, planner, ...).</summary>
    public static void Add(string area, long operations)
    {
        ArgumentException.ThrowIfNullOrEmpty(area);
        ArgumentOutOfRangeException.ThrowIfNegative(operations);
        ByArea.AddOrUpdate(area, operations, (_, count) => count + operations);
    }

    /// <summary>All checked operations counted in this process so far.</summary>
    public static long Total => ByArea.Values.Sum();

    /// <summary>One line: the total and the count of each area, e.g. <c>1,204,311 checked operations (admission 211,040, placement 993,271)</c>.</summary>
    public static string Summary() =>
        string.Create(CultureInfo.InvariantCulture, $"{Total:N0} checked operations in this test process (")
        + string.Join(", ", ByArea.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Key} {a.Value:N0}")))
        + ")";
}
