namespace Berth.Web;

/// <summary>
/// The read side of a running Berth, as the dashboard and the <c>/api/v1</c> read endpoints show it: the port both
/// <c>berth serve</c> (over its store and decision loop) and <c>berth operator</c> (over its Kubernetes cache) implement.
/// Every member filters by the caller's <see cref="ViewScope"/>. Thread-safe; answers come from memory (no member
/// waits on the network), so the dashboard's first load stays fast.
/// </summary>
public interface IClusterViews
{
    /// <summary>Where the views come from: <c>server</c> or <c>kubernetes</c>.</summary>
    string Source { get; }

    /// <summary>True where nothing can be changed through Berth (Kubernetes: change the cluster's objects instead).</summary>
    bool ReadOnly { get; }

    /// <summary>True where <c>GET /api/v1/jobs/{id}/logs</c> exists (the server).</summary>
    bool Logs { get; }

    /// <summary>One page of jobs in submit order. Throws <see cref="ViewException"/> for a cursor it did not make.</summary>
    JobList Jobs(JobQuery query, ViewScope scope);

    /// <summary>
    /// One job with its events, reason history and pod sets; null when unknown or outside the scope. An id may hold a
    /// <c>/</c> (<c>namespace/name</c>): clients send it as <c>%2F</c> and the endpoint passes it here decoded.
    /// </summary>
    JobView? Job(string id, ViewScope scope);

    IReadOnlyList<QueueView> Queues(ViewScope scope);

    IReadOnlyList<CohortView> Cohorts(ViewScope scope);

    IReadOnlyList<NodeView> Nodes(ViewScope scope);

    /// <summary>The cluster's GPUs over time, points at or after <paramref name="since"/> (null: all kept).</summary>
    TimelineView Timeline(ViewScope scope, DateTimeOffset? since);

    /// <summary>Subscribes now to changes of jobs in the scope (for the server-sent-events stream).</summary>
    ChangeSubscription Subscribe(ViewScope scope);
}
