namespace Berth.Model;

/// <summary>A node taint: pods that do not tolerate it are kept off the node (for NoSchedule/NoExecute).</summary>
public sealed record Taint(string Key, string? Value, TaintEffect Effect)
{
    public override string ToString() => Value is null ? $"{Key}:{Effect}" : $"{Key}={Value}:{Effect}";
}
