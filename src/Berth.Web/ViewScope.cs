namespace Berth.Web;

/// <summary>
/// What one caller may see: <see cref="Queues"/>, the queues whose jobs it sees (null: all; the server's submitter tokens
/// and the operator's namespaces narrow it), and its name for the page. A view source leaves out every job outside it
/// and shows a GPU held from outside it as taken, not by whom.
/// </summary>
public sealed record ViewScope(string? User, IReadOnlySet<string>? Queues)
{
    /// <summary>Everything, for a caller nobody narrows.</summary>
    public static ViewScope All { get; } = new(null, null);

    public bool CanSee(string queue) => Queues is null || Queues.Contains(queue);

    /// <summary>
    /// The namespaces whose jobs it sees within its queues (null: all): on Kubernetes a tenant sees the queues their
    /// namespaces may use, but in them only their own namespaces' jobs; the server has no namespaces and leaves it null.
    /// </summary>
    public IReadOnlySet<string>? Namespaces { get; init; }

    /// <summary>True when a job of <paramref name="queue"/> in namespace <paramref name="ns"/> (null: none) is inside this scope.</summary>
    public bool CanSee(string queue, string? ns) => CanSee(queue) && (Namespaces is null || (ns is not null && Namespaces.Contains(ns)));
}
