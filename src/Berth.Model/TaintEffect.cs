namespace Berth.Model;

/// <summary>What a taint does to pods that do not tolerate it (Kubernetes semantics).</summary>
public enum TaintEffect
{
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}
