namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// Counts requests per (verb, resource) and hands out failures queued by <see cref="FakeApiServer.FailNext"/>.
/// Verbs are the Kubernetes ones (get, list, watch, create, update, patch, delete, deletecollection); the resource
/// is the plural, with the subresource after a slash for subresource requests (<c>jobs/status</c>, <c>pods/binding</c>).
/// </summary>
internal sealed class FaultInjector
{
    public static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    private readonly Lock gate = new();
    private readonly Dictionary<(string Verb, string Resource), Queue<int>> failures = [];
    private readonly Dictionary<(string Verb, string Resource), int> counts = [];

    public void FailNext(string verb, string resource, int statusCode, int times)
    {
        if (!Verbs.Contains(verb))
        {
            throw new ArgumentException(
                $"Unknown verb '{verb}': use one of {string.Join(", ", Verbs)} (PUT is 'update', POST is 'create').", nameof(verb));
        }

        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (gate)
        {
            if (!failures.TryGetValue((verb, resource), out var queue))
            {
                queue = new Queue<int>();
                failures[(verb, resource)] = queue;
            }

            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(statusCode);
            }
        }
    }

    /// <summary>Counts the request; returns the status code to fail it with, or null to serve it.</summary>
    public int? Intercept(string verb, string resource)
    {
        lock (gate)
        {
            counts[(verb, resource)] = counts.GetValueOrDefault((verb, resource)) + 1;
            return failures.TryGetValue((verb, resource), out var queue) && queue.TryDequeue(out var code) ? code : null;
        }
    }

    /// <summary>Every (verb, resource) requested so far, in no particular order.</summary>
    public IReadOnlyList<(string Verb, string Resource)> Requested()
    {
        lock (gate)
        {
            return counts.Keys.ToArray();
        }
    }

    public int Count(string verb, string resource)
    {
        lock (gate)
        {
            return counts.GetValueOrDefault((verb, resource));
        }
    }
}
