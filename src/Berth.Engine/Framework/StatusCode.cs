namespace Berth.Engine.Framework;

/// <summary>The outcome of one extension point (kube-scheduler framework semantics).</summary>
public enum StatusCode : byte
{
    /// <summary>The plugin is satisfied.</summary>
    Success,

    /// <summary>Does not fit now, but could after something changes (other pods leave).</summary>
    Unschedulable,

    /// <summary>Does not fit and never will on this node while the node is what it is (wrong model, untolerated taint).</summary>
    UnschedulableAndUnresolvable,

    /// <summary>Returned by a pre-filter: this plugin has nothing to check for this pod, skip its filter.</summary>
    Skip,
}
