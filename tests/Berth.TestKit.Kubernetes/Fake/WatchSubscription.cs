using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// One open watch: what it selects, the queue of events the store hands it (in resourceVersion order), and the
/// connection to cut. Rendering applies the selectors the way the real watch cache does: an object that starts
/// matching arrives as ADDED, one that stops matching as DELETED.
/// </summary>
internal sealed class WatchSubscription
{
    private readonly HttpContext context;

    public WatchSubscription(
        ResourceDefinition resource,
        string? @namespace,
        LabelSelector labels,
        FieldSelector fields,
        bool bookmarks,
        HttpContext context)
    {
        Resource = resource;
        Namespace = @namespace;
        Labels = labels;
        Fields = fields;
        Bookmarks = bookmarks;
        this.context = context;
    }

    public ResourceDefinition Resource { get; }

    public string? Namespace { get; }

    public LabelSelector Labels { get; }

    public FieldSelector Fields { get; }

    public bool Bookmarks { get; }

    public Channel<StoredEvent> Events { get; } = Channel.CreateUnbounded<StoredEvent>(
        new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Whether an event about this key belongs to this watch's resource and namespace.</summary>
    public bool Covers(ObjectKey key) => key.Resource == Resource && (Namespace is null || key.Namespace == Namespace);

    /// <summary>Drops the connection mid-stream, as a crashing or restarting API server would.</summary>
    public void Abort() => context.Abort();

    /// <summary>The event's line on the wire, or null when this watch does not see it.</summary>
    public string? Render(StoredEvent stored)
    {
        if (stored.Type == StoredEvent.Bookmark)
        {
            var bookmark = new JsonObject
            {
                ["type"] = StoredEvent.Bookmark,
                ["object"] = new JsonObject
                {
                    ["kind"] = Resource.Kind,
                    ["apiVersion"] = Resource.ApiVersion,
                    ["metadata"] = new JsonObject
                    {
                        ["resourceVersion"] = stored.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                    },
                },
            };
            return bookmark.ToJsonString();
        }

        if (stored.Key is not { } key || !Covers(key))
        {
            return null;
        }

        var type = stored.Type;
        if (!Labels.IsEverything || !Fields.IsEverything)
        {
            var now = Selects(stored.ObjectJson);
            var before = stored.PreviousJson is not null && Selects(stored.PreviousJson);
            type = (stored.Type, before, now) switch
            {
                (StoredEvent.Modified, true, true) => StoredEvent.Modified,
                (StoredEvent.Modified, false, true) => StoredEvent.Added,
                (StoredEvent.Modified, true, false) => StoredEvent.Deleted,
                (StoredEvent.Modified, false, false) => null,
                (_, _, true) => stored.Type,
                _ => null,
            };
        }

        return type is null ? null : $"{{\"type\":\"{type}\",\"object\":{stored.ObjectJson}}}";
    }

    private bool Selects(string json) =>
        JsonNode.Parse(json) is JsonObject obj && Labels.Matches(obj) && Fields.Matches(obj);
}
