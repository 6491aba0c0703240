namespace Berth.Kubernetes.Usage;

/// <summary>What the operator's showback keeps GPU-seconds by: one UTC day, queue, namespace, user and GPU model.</summary>
public readonly record struct UsageKey(DateOnly Day, string Queue, string Namespace, string User, string GpuModel);
