using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// <c>Status</c> bodies with the codes, reasons and messages the real API server uses
/// (k8s.io/apimachinery/pkg/api/errors), so clients that branch on them behave as in a cluster.
/// </summary>
internal static class ApiStatus
{
    public static ApiResult NotFound(ResourceDefinition resource, string name) =>
        Failure(404, "NotFound", $"{resource.QualifiedName} \"{name}\" not found", Details(resource, name));

    public static ApiResult NoSuchPath() =>
        Failure(404, "NotFound", "the server could not find the requested resource", null);

    public static ApiResult AlreadyExists(ResourceDefinition resource, string name) =>
        Failure(409, "AlreadyExists", $"{resource.QualifiedName} \"{name}\" already exists", Details(resource, name));

    /// <summary>The optimistic-concurrency failure: the object changed since the client read it.</summary>
    public static ApiResult Conflict(ResourceDefinition resource, string name) =>
        Conflict(resource.QualifiedName, resource, name,
            "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiResult Conflict(string qualifiedName, ResourceDefinition resource, string name, string why) =>
        Failure(409, "Conflict", $"Operation cannot be fulfilled on {qualifiedName} \"{name}\": {why}", Details(resource, name));

    public static ApiResult BadRequest(string message) => Failure(400, "BadRequest", message, null);

    public static ApiResult Invalid(ResourceDefinition resource, string name, string field, string message)
    {
        var details = Details(resource, name);
        details["kind"] = resource.Kind;
        details["causes"] = new JsonArray(new JsonObject
        {
            ["reason"] = "FieldValueInvalid",
            ["message"] = message,
            ["field"] = field,
        });
        return Failure(422, "Invalid", $"{resource.Kind} \"{name}\" is invalid: {field}: {message}", details);
    }

    /// <summary>A 422 without field details, as the server answers a JSON patch that does not apply.</summary>
    public static ApiResult Unprocessable(string message) => Failure(422, "Invalid", message, null);

    public static ApiResult MethodNotAllowed(string message) => Failure(405, "MethodNotAllowed", message, null);

    public static ApiResult UnsupportedMediaType(string message) => Failure(415, "UnsupportedMediaType", message, null);

    public static ApiResult TooManyRequests(string message, JsonObject? details) =>
        Failure(429, "TooManyRequests", message, details);

    public static ApiResult InternalError(string message) =>
        Failure(500, "InternalError", "Internal error occurred: " + message, null);

    public static JsonObject Expired(string message) => Failure(410, "Expired", message, null).Body;

    /// <summary>An admission webhook's refusal as the API server returns it (webhook/errors.ToStatusErr).</summary>
    public static ApiResult Denied(WebhookDenial denial)
    {
        var code = Math.Max(400, denial.Code);
        var deniedBy = $"admission webhook \"{denial.WebhookName}\" denied the request";
        var message = denial.Message.Length > 0 ? $"{deniedBy}: {denial.Message}" : denial.Reason.Length > 0 ? $"{deniedBy}: {denial.Reason}" : $"{deniedBy} without explanation";
        return Failure(code, denial.Reason, message, null);
    }

    /// <summary>A failure injected by <see cref="FakeApiServer.FailNext"/>.</summary>
    public static ApiResult Injected(int code) =>
        Failure(code, ReasonFor(code), $"injected by FakeApiServer.FailNext (HTTP {code})", null);

    /// <summary>The body of a successful subresource POST (binding, eviction) or of a delete that returns no object.</summary>
    public static ApiResult Success(int code, JsonObject? details = null)
    {
        var body = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
        };
        if (details is not null)
        {
            body["details"] = details;
        }

        return new ApiResult(code, body);
    }

    public static JsonObject Details(ResourceDefinition resource, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        // The real server puts the resource (plural), not the kind, here.
        details["kind"] = resource.Plural;
        return details;
    }

    private static ApiResult Failure(int code, string reason, string message, JsonObject? details)
    {
        var body = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            body["details"] = details;
        }

        body["code"] = code;
        return new ApiResult(code, body);
    }

    private static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Expired",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "",
    };
}
