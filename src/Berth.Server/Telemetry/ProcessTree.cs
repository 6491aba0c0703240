using System.Globalization;

namespace Berth.Server.Telemetry;

/// <summary>
/// Which processes descend from which: a pod's launcher shell starts its command, which may start workers (a
/// <c>torchrun</c>, a data loader); the GPU processes nvidia-smi lists are found among those descendants.
/// </summary>
public static class ProcessTree
{
    /// <summary>The parent of every process now running, from <c>/proc/PID/stat</c> (empty where there is no /proc).</summary>
    public static IReadOnlyDictionary<int, int> Parents()
    {
        var parents = new Dictionary<int, int>();
        if (!Directory.Exists("/proc"))
        {
            return parents;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
                {
                    parents[pid] = parent;
                }
            }
            catch (IOException)
            {
                // ended while we looked
            }
            catch (UnauthorizedAccessException)
            {
                // not ours to read
            }
        }

        return parents;
    }

    /// <summary><paramref name="roots"/> and every process below them in <paramref name="parents"/>.</summary>
    public static HashSet<int> Descendants(IEnumerable<int> roots, IReadOnlyDictionary<int, int> parents)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(parents);
        var children = new Dictionary<int, List<int>>();
        foreach (var (pid, parent) in parents)
        {
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        var found = new HashSet<int>();
        var todo = new Stack<int>(roots);
        while (todo.Count > 0)
        {
            var pid = todo.Pop();
            if (found.Add(pid) && children.TryGetValue(pid, out var below))
            {
                foreach (var child in below)
                {
                    todo.Push(child);
                }
            }
        }

        return found;
    }
}
