using Berth.Model;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// A node as the planner reads it. <see cref="Usable"/>: new pods may go there (Ready and not cordoned).
/// <see cref="Healthy"/>: what runs there may stay (Ready). <see cref="UnhealthyGpuMask"/>: GPUs out of capacity.
/// </summary>
internal sealed record NodeInfo(Node Node, bool Usable, bool Healthy, int UnhealthyGpuMask);
