using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// The fake's etcd: objects as JSON keyed by <see cref="ObjectKey"/>, one global resourceVersion counter that every
/// write advances, a bounded history of watch events, and the open watches, which get each event in order.
/// <para>
/// Thread-safety: every member takes <see cref="Gate"/>. Callers that read, decide and write (an update checking
/// resourceVersion) hold <see cref="Gate"/> around the whole sequence; the lock is reentrant. Objects go in and come
/// out as copies, so nothing outside holds a reference to stored JSON.
/// </para>
/// </summary>
internal sealed class ObjectStore(int historyLimit)
{
    private readonly Dictionary<ObjectKey, JsonObject> objects = [];
    private readonly Queue<StoredEvent> history = new();
    private readonly List<WatchSubscription> watches = [];

    // Each resource's keys in list order, built on the first list after a write to that resource, so the pages of
    // one list cost their own size rather than a sort and a copy of every object each.
    private readonly Dictionary<ResourceDefinition, (ObjectKey Key, string SortKey)[]> sortedKeys = [];
    // Watch lag (FakeApiServer.DelayBindingEvents): events held back from the open watches, and the objects they are of.
    private readonly List<StoredEvent> held = [];
    private readonly HashSet<ObjectKey> heldKeys = [];
    private bool delayBindings;
    private long resourceVersion;
    private long compactedThrough;
    private long sequence;

    public Lock Gate { get; } = new();

    public long ResourceVersion
    {
        get
        {
            lock (Gate)
            {
                return resourceVersion;
            }
        }
    }

    /// <summary>The newest resourceVersion whose event is gone: watches must start at or after it.</summary>
    public long CompactedThrough
    {
        get
        {
            lock (Gate)
            {
                return compactedThrough;
            }
        }
    }

    public int WatchCount
    {
        get
        {
            lock (Gate)
            {
                return watches.Count;
            }
        }
    }

    public JsonObject? Get(ObjectKey key)
    {
        lock (Gate)
        {
            return objects.TryGetValue(key, out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    /// <summary>Copies of a resource's objects, in one namespace or all, sorted by namespace then name.</summary>
    public List<(ObjectKey Key, JsonObject Object)> List(ResourceDefinition resource, string? @namespace)
    {
        lock (Gate)
        {
            return objects
                .Where(entry => entry.Key.Resource == resource && (@namespace is null || entry.Key.Namespace == @namespace))
                .OrderBy(entry => entry.Key.SortKey, StringComparer.Ordinal)
                .Select(entry => (entry.Key, (JsonObject)entry.Value.DeepClone()))
                .ToList();
        }
    }

    /// <summary>
    /// One page of a list: from <paramref name="start"/> (inclusive) in list order, the first <paramref name="limit"/>
    /// objects that <paramref name="matches"/> accepts (it sees the stored object and must not change it), as copies;
    /// and how many more match after them.
    /// </summary>
    public (List<(ObjectKey Key, JsonObject Object)> Page, long Remaining) ListPage(ResourceDefinition resource, string? @namespace, string start, Func<JsonObject, bool> matches, int limit)
    {
        ArgumentNullException.ThrowIfNull(matches);
        lock (Gate)
        {
            if (!sortedKeys.TryGetValue(resource, out var keys))
            {
                keys = objects.Keys.Where(k => k.Resource == resource).Select(k => (k, k.SortKey)).ToArray();
                Array.Sort(keys, (a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
                sortedKeys[resource] = keys;
            }

            var lo = 0;
            var hi = keys.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (string.CompareOrdinal(keys[mid].SortKey, start) < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            var page = new List<(ObjectKey, JsonObject)>();
            long remaining = 0;
            for (var i = lo; i < keys.Length; i++)
            {
                var key = keys[i].Key;
                var obj = objects[key];
                if ((@namespace is not null && key.Namespace != @namespace) || !matches(obj))
                {
                    continue;
                }

                if (page.Count < limit)
                {
                    page.Add((key, (JsonObject)obj.DeepClone()));
                }
                else
                {
                    remaining++;
                }
            }

            return (page, remaining);
        }
    }

    /// <summary>
    /// While on, the watch event of each binding the server accepts (and every later event of that pod, so one
    /// object's events keep their order) is held back from the open watches until <see cref="ReleaseHeldEvents"/>:
    /// a watch that lags behind the store. Gets and lists read the current state as always.
    /// </summary>
    public bool DelayBindings
    {
        get
        {
            lock (Gate)
            {
                return delayBindings;
            }
        }

        set
        {
            lock (Gate)
            {
                delayBindings = value;
            }
        }
    }

    /// <summary>How many watch events are held back now.</summary>
    public int HeldEvents
    {
        get
        {
            lock (Gate)
            {
                return held.Count;
            }
        }
    }

    /// <summary>Sends the held-back events, in the order they happened, to the watches open now.</summary>
    public void ReleaseHeldEvents()
    {
        lock (Gate)
        {
            foreach (var entry in held)
            {
                foreach (var watch in watches)
                {
                    if (watch.Covers(entry.Key!.Value))
                    {
                        watch.Events.Writer.TryWrite(entry);
                    }
                }
            }

            held.Clear();
            heldKeys.Clear();
        }
    }

    /// <summary>Stores a pod a binding changed: as <see cref="Write"/>, but its event may be held back (<see cref="DelayBindings"/>).</summary>
    public JsonObject WriteBinding(ObjectKey key, JsonObject obj)
    {
        lock (Gate)
        {
            if (delayBindings)
            {
                heldKeys.Add(key);
            }

            return Write(key, obj);
        }
    }

    /// <summary>Stores the object under a new resourceVersion and records ADDED or MODIFIED. Returns the stored copy.</summary>
    public JsonObject Write(ObjectKey key, JsonObject obj)
    {
        lock (Gate)
        {
            objects.TryGetValue(key, out var previous);
            var stored = Stamp(obj);
            if (!objects.ContainsKey(key))
            {
                sortedKeys.Remove(key.Resource);
            }

            objects[key] = stored;
            Record(previous is null ? StoredEvent.Added : StoredEvent.Modified, key, stored, previous);
            return (JsonObject)stored.DeepClone();
        }
    }

    /// <summary>Deletes the object; its last state (<paramref name="last"/>) gets a new resourceVersion and goes out as DELETED.</summary>
    public JsonObject Remove(ObjectKey key, JsonObject last)
    {
        lock (Gate)
        {
            if (objects.Remove(key))
            {
                sortedKeys.Remove(key.Resource);
            }

            var stored = Stamp(last);
            Record(StoredEvent.Deleted, key, stored, previous: null);
            return (JsonObject)stored.DeepClone();
        }
    }

    /// <summary>A fresh value from a counter, for uids and generated names, so runs are repeatable.</summary>
    public long NextSequence()
    {
        lock (Gate)
        {
            return ++sequence;
        }
    }

    /// <summary>Forgets the whole history, as an etcd compaction at the current revision would.</summary>
    public void Compact()
    {
        lock (Gate)
        {
            history.Clear();
            compactedThrough = resourceVersion;
        }
    }

    /// <summary>
    /// Opens a watch. From null (no resourceVersion, or "0"): ADDED for every current object, then live events. From R:
    /// every kept event after R, then live events; false when events after R are already gone (410 Expired).
    /// The replay and the registration happen under one lock, so no event is missed or sent twice.
    /// </summary>
    public bool TrySubscribe(WatchSubscription watch, long? from)
    {
        lock (Gate)
        {
            if (from is null)
            {
                foreach (var (key, obj) in objects.OrderBy(entry => entry.Key.SortKey, StringComparer.Ordinal))
                {
                    if (watch.Covers(key))
                    {
                        var rv = long.Parse(JsonMeta.ResourceVersion(obj)!, CultureInfo.InvariantCulture);
                        watch.Events.Writer.TryWrite(new StoredEvent(StoredEvent.Added, key, rv, obj.ToJsonString(), null));
                    }
                }
            }
            else
            {
                if (from < compactedThrough)
                {
                    return false;
                }

                foreach (var stored in history)
                {
                    if (stored.ResourceVersion > from && stored.Key is { } key && watch.Covers(key))
                    {
                        watch.Events.Writer.TryWrite(stored);
                    }
                }
            }

            watches.Add(watch);
            return true;
        }
    }

    public void Unsubscribe(WatchSubscription watch)
    {
        lock (Gate)
        {
            watches.Remove(watch);
            watch.Events.Writer.TryComplete();
        }
    }

    public void CutWatches()
    {
        lock (Gate)
        {
            foreach (var watch in watches)
            {
                watch.Abort();
            }
        }
    }

    /// <summary>Queues a BOOKMARK at the current resourceVersion to the given watch, or to every watch that asked for bookmarks.</summary>
    public void SendBookmarks(WatchSubscription? only = null)
    {
        lock (Gate)
        {
            var bookmark = new StoredEvent(StoredEvent.Bookmark, null, resourceVersion, "", null);
            foreach (var watch in watches)
            {
                if (watch.Bookmarks && (only is null || only == watch))
                {
                    watch.Events.Writer.TryWrite(bookmark);
                }
            }
        }
    }

    private JsonObject Stamp(JsonObject obj)
    {
        // Through text, so every stored value is plain parsed JSON whatever the caller built it from.
        var stored = Normalized(obj);
        resourceVersion++;
        JsonMeta.Metadata(stored)["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        return stored;
    }

    /// <summary>A copy re-read from its text: numbers built as int or long compare and convert like parsed JSON.</summary>
    public static JsonObject Normalized(JsonObject obj) => (JsonObject)JsonNode.Parse(obj.ToJsonString())!;

    private void Record(string type, ObjectKey key, JsonObject stored, JsonObject? previous)
    {
        var entry = new StoredEvent(type, key, resourceVersion, stored.ToJsonString(), previous?.ToJsonString());
        history.Enqueue(entry);
        while (history.Count > historyLimit)
        {
            compactedThrough = history.Dequeue().ResourceVersion;
        }

        if (heldKeys.Contains(key))
        {
            held.Add(entry);
            return;
        }

        foreach (var watch in watches)
        {
            if (watch.Covers(key))
            {
                watch.Events.Writer.TryWrite(entry);
            }
        }
    }
}
