using Berth.Model;

namespace Berth.Simulation.Formats;

/// <summary>A cluster read from a Berth cluster file: its nodes, and the GPU catalog they were checked against (the default catalog plus the file's <c>gpuModels</c>).</summary>
public sealed record ClusterSpec(IReadOnlyList<Node> Nodes, GpuModelCatalog Catalog);
