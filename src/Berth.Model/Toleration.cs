namespace Berth.Model;

/// <summary>
/// A pod's toleration of node taints, with Kubernetes semantics: a null <see cref="Effect"/> matches
/// every effect; <see cref="TolerationOperator.Exists"/> with a null key matches every taint.
/// </summary>
public sealed record Toleration(string? Key, TolerationOperator Operator, string? Value, TaintEffect? Effect)
{
    /// <summary>True when this toleration matches <paramref name="taint"/>.</summary>
    public bool Tolerates(Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        if (Effect is { } effect && effect != taint.Effect)
        {
            return false;
        }

        if (Key is null)
        {
            return Operator == TolerationOperator.Exists;
        }

        if (!string.Equals(Key, taint.Key, StringComparison.Ordinal))
        {
            return false;
        }

        return Operator == TolerationOperator.Exists || string.Equals(Value ?? string.Empty, taint.Value ?? string.Empty, StringComparison.Ordinal);
    }
}
