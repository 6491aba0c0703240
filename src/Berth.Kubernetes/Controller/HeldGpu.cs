namespace Berth.Kubernetes.Controller;

/// <summary>
/// One GPU (or a share of one) that a bound pod of a running workload holds, as Berth's assignment annotations place
/// it: what the per-GPU gauge and showback count. <see cref="Job"/> is the workload's id in the views
/// (<c>job:team-a:train</c>); <see cref="User"/> whom showback charges (<see cref="KubernetesNames.UserAnnotation"/>,
/// <c>unknown</c> without one); <see cref="Model"/> the node's GPU model.
/// </summary>
public sealed record HeldGpu(string Node, int Gpu, double Share, string Queue, string Job, string Namespace, string User, string Model, double? Activity);
