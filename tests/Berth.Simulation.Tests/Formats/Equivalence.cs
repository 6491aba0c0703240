using Berth.Model;
using Berth.Simulation.Input;

namespace Berth.Simulation.Tests.Formats;

/// <summary>Structural comparison of nodes and pods (records compare their collections by reference).</summary>
internal static class Equivalence
{
    public static string Describe(Node n) =>
        $"{n.Name}|{n.CpuMilli}|{n.MemoryMiB}|{n.GpuCount}|{n.GpuModel}|{n.GpuMemoryMiB}|{n.Sharing}|{Map(n.Labels)}|{string.Join(";", n.Taints)}";

    public static string Describe(TracePod p) =>
        $"{p.Pod.Name}|{p.Pod.CpuMilli}|{p.Pod.MemoryMiB}|{p.Pod.GpuCount}|{p.Pod.GpuMilli}|{p.Pod.GpuMemoryMiB}|{p.Pod.MigProfile}x{p.Pod.MigCount}|{p.Pod.SharedGpuReplicas}|{string.Join(",", p.Pod.AllowedGpuModels)}|{Map(p.Pod.NodeSelector)}|"
        + $"{string.Join(";", p.Pod.Tolerations.Select(t => $"{t.Key ?? "<null>"}/{t.Operator}/{t.Value ?? "<null>"}/{t.Effect?.ToString() ?? "<null>"}"))}|{p.Pod.Priority}|{p.CreationTime?.ToString() ?? "-"}|{p.DeletionTime?.ToString() ?? "-"}";

    private static string Map(IReadOnlyDictionary<string, string> map) =>
        string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
