namespace Berth.Model;

/// <summary>How a toleration matches a taint's value.</summary>
public enum TolerationOperator
{
    /// <summary>Key and value must be equal.</summary>
    Equal,

    /// <summary>The key must be present; the value is ignored. An empty key with Exists tolerates everything.</summary>
    Exists,
}
