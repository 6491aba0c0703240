using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>The HTTP layer: routes a request to a verb on a resource, reads the body, and writes JSON or a watch stream.</summary>
internal sealed class ApiRequestHandler(
    ResourceRegistry registry,
    ObjectStore store,
    ObjectOperations operations,
    FaultInjector faults,
    AccessReviews access,
    AdmissionHooks admission,
    TimeSpan? bookmarkInterval,
    CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (HttpMethods.IsGet(request.Method) && Discovery.Describe(path, registry) is { } discovery)
        {
            await WriteAsync(context, new ApiResult(200, discovery));
            return;
        }

        var target = RequestTarget.Parse(path, registry);
        if (target is null)
        {
            await WriteAsync(context, ApiStatus.NoSuchPath());
            return;
        }

        var verb = VerbOf(request.Method, target, request.Query);
        if (verb is null)
        {
            await WriteAsync(context, ApiStatus.MethodNotAllowed($"the server does not allow this method on the requested resource"));
            return;
        }

        if (faults.Intercept(verb, target.ResourceName) is { } injected)
        {
            await WriteAsync(context, ApiStatus.Injected(injected));
            return;
        }

        if (verb == "watch")
        {
            await WatchAsync(context, target);
            return;
        }

        JsonNode? body = null;
        if (verb is "create" or "update" or "patch" or "delete")
        {
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(context.RequestAborted);
            try
            {
                body = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                await WriteAsync(context, ApiStatus.BadRequest("the request body is not valid JSON: " + e.Message));
                return;
            }
        }

        if (verb is "create" or "update" or "patch" or "delete"
            && admission.Review(new AdmissionAttempt(verb, target.ResourceName, target.Namespace, target.Name, body)) is { } denial)
        {
            await WriteAsync(context, ApiStatus.Denied(denial));
            return;
        }

        await WriteAsync(context, Serve(verb, target, body, request));
    }

    private static string? VerbOf(string method, RequestTarget target, IQueryCollection query) => method switch
    {
        _ when HttpMethods.IsGet(method) && target.Name is null => IsTrue(query["watch"]) ? "watch" : "list",
        _ when HttpMethods.IsGet(method) => "get",
        _ when HttpMethods.IsPost(method) => "create",
        _ when HttpMethods.IsPut(method) => "update",
        _ when HttpMethods.IsPatch(method) => "patch",
        _ when HttpMethods.IsDelete(method) && target.Name is null => "deletecollection",
        _ when HttpMethods.IsDelete(method) => "delete",
        _ => null,
    };

    private ApiResult Serve(string verb, RequestTarget target, JsonNode? body, HttpRequest request)
    {
        var resource = target.Resource;
        var sub = target.Subresource;
        var known = sub switch
        {
            null => true,
            "status" => resource.HasStatusSubresource,
            "binding" or "eviction" => resource.Is("", "pods"),
            _ => false,
        };
        if (!known)
        {
            return ApiStatus.NoSuchPath();
        }

        var allowed = sub switch
        {
            null => true,
            "status" => verb is "get" or "update" or "patch",
            _ => verb == "create",
        };
        if (!allowed)
        {
            return ApiStatus.MethodNotAllowed($"the server does not allow this method on the requested resource ({target.ResourceName})");
        }

        var statusOnly = sub == "status";
        switch (verb)
        {
            case "get":
                return operations.Get(target.Key);
            case "list":
                return List(target, request.Query);
            case "create" when target.Name is null && (resource.Is("authentication.k8s.io", "tokenreviews") || resource.Is("authorization.k8s.io", "subjectaccessreviews")):
                return body is JsonObject review
                    ? new ApiResult(201, access.Review(resource.Plural, review))
                    : ApiStatus.BadRequest("the request body must be a JSON object");
            case "create" when target.Name is null:
                if (resource.Namespaced && target.Namespace is null)
                {
                    return ApiStatus.MethodNotAllowed("the server does not allow this method on the requested resource");
                }

                return body is JsonObject created
                    ? operations.Create(resource, target.Namespace, created)
                    : ApiStatus.BadRequest("the request body must be a JSON object");
            case "create" when body is not JsonObject:
                return ApiStatus.BadRequest("the request body must be a JSON object");
            case "create" when sub == "binding":
                return operations.Bind(target.Key, (JsonObject)body);
            case "create" when sub == "eviction":
                return operations.Evict(target.Key, (JsonObject)body);
            case "create":
                return ApiStatus.MethodNotAllowed("the server does not allow this method on the requested resource");
            case "update":
                return body is JsonObject replaced
                    ? operations.Update(target.Key, replaced, statusOnly)
                    : ApiStatus.BadRequest("the request body must be a JSON object");
            case "patch":
                var mediaType = (request.ContentType ?? "").Split(';')[0].Trim();
                return operations.Patch(target.Key, mediaType, body, statusOnly);
            case "delete":
                return operations.Delete(target.Key, body as JsonObject);
            default:
                return ApiStatus.MethodNotAllowed($"{verb} is not implemented by FakeApiServer");
        }
    }

    /// <summary>
    /// A list: sorted by namespace then name, filtered by label and field selectors, paged by limit/continue. The
    /// metadata.resourceVersion is the store's at the first page; later pages read current state past the last key.
    /// </summary>
    private ApiResult List(RequestTarget target, IQueryCollection query)
    {
        if (!LabelSelector.TryParse(query["labelSelector"], out var labels, out var labelError))
        {
            return ApiStatus.BadRequest(labelError);
        }

        if (!FieldSelector.TryParse(query["fieldSelector"], target.Resource, out var fields, out var fieldError))
        {
            return ApiStatus.BadRequest(fieldError);
        }

        var limit = int.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : int.MaxValue;
        var token = (string?)query["continue"];

        List<JsonObject> items;
        long listVersion;
        string? next = null;
        long remaining = 0;
        lock (store.Gate)
        {
            listVersion = store.ResourceVersion;
            var start = "";
            if (!string.IsNullOrEmpty(token))
            {
                if (!ContinueToken.TryDecode(token, out listVersion, out start))
                {
                    return ApiStatus.BadRequest("continue key is not valid: could not decode the continue token");
                }

                if (listVersion < store.CompactedThrough)
                {
                    return new ApiResult(410, ApiStatus.Expired(
                        "The provided continue parameter is too old to display a consistent list result. " +
                        "You can start a new list without the continue parameter."));
                }
            }

            var (page, more) = store.ListPage(target.Resource, target.Namespace, start, obj => labels.Matches(obj) && fields.Matches(obj), limit);
            if (more > 0)
            {
                next = ContinueToken.Encode(listVersion, page[^1].Key.SortKey);
                remaining = more;
            }

            items = page.Select(entry => entry.Object).ToList();
        }

        var metadata = new JsonObject { ["resourceVersion"] = listVersion.ToString(CultureInfo.InvariantCulture) };
        if (next is not null)
        {
            metadata["continue"] = next;
            if (labels.IsEverything && fields.IsEverything)
            {
                metadata["remainingItemCount"] = remaining;
            }
        }

        var array = new JsonArray();
        foreach (var item in items)
        {
            // Built-in list items come without apiVersion and kind from the real server; custom resources keep them.
            if (target.Resource.BuiltIn)
            {
                item.Remove("apiVersion");
                item.Remove("kind");
            }

            array.Add(item);
        }

        return new ApiResult(200, new JsonObject
        {
            ["kind"] = target.Resource.Kind + "List",
            ["apiVersion"] = target.Resource.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = array,
        });
    }

    /// <summary>
    /// A watch: 200 with a chunked application/json body, one event per line, flushed per event. Ends cleanly at
    /// timeoutSeconds or server shutdown; ends abruptly when <see cref="FakeApiServer.CutWatches"/> aborts it.
    /// </summary>
    private async Task WatchAsync(HttpContext context, RequestTarget target)
    {
        var query = context.Request.Query;
        if (!LabelSelector.TryParse(query["labelSelector"], out var labels, out var labelError))
        {
            await WriteAsync(context, ApiStatus.BadRequest(labelError));
            return;
        }

        if (!FieldSelector.TryParse(query["fieldSelector"], target.Resource, out var fields, out var fieldError))
        {
            await WriteAsync(context, ApiStatus.BadRequest(fieldError));
            return;
        }

        long? from = null;
        var versionText = (string?)query["resourceVersion"];
        if (!string.IsNullOrEmpty(versionText) && versionText != "0")
        {
            if (!long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                await WriteAsync(context, ApiStatus.BadRequest($"invalid resource version \"{versionText}\""));
                return;
            }

            from = version;
        }

        _ = int.TryParse(query["timeoutSeconds"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var timeoutSeconds);
        var bookmarks = IsTrue(query["allowWatchBookmarks"]);
        var watch = new WatchSubscription(target.Resource, target.Namespace, labels, fields, bookmarks, context);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";

        if (!store.TrySubscribe(watch, from))
        {
            // The real server answers 200 and a single ERROR event; the client must list again.
            var expired = ApiStatus.Expired($"too old resource version: {from} ({store.CompactedThrough + 1})");
            await response.WriteAsync(new JsonObject { ["type"] = "ERROR", ["object"] = expired }.ToJsonString() + "\n");
            return;
        }

        try
        {
            await response.StartAsync(context.RequestAborted);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            if (timeoutSeconds > 0)
            {
                cancel.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
            }

            using var timer = bookmarks && bookmarkInterval is { } interval
                ? new Timer(_ => store.SendBookmarks(watch), null, interval, interval)
                : null;
            var reader = watch.Events.Reader;
            while (await reader.WaitToReadAsync(cancel.Token))
            {
                while (reader.TryRead(out var stored))
                {
                    if (watch.Render(stored) is { } line)
                    {
                        await response.WriteAsync(line + "\n", cancel.Token);
                        await response.Body.FlushAsync(cancel.Token);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds passed, the server is stopping, or the client went away: the stream just ends.
        }
        catch (IOException)
        {
            // The connection was cut.
        }
        finally
        {
            store.Unsubscribe(watch);
        }
    }

    private static bool IsTrue(StringValues value) => value == "true" || value == "1";

    private static async Task WriteAsync(HttpContext context, ApiResult result)
    {
        context.Response.StatusCode = result.StatusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(result.Body.ToJsonString(), context.RequestAborted);
    }
}
