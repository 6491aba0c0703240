using Microsoft.AspNetCore.Http;

namespace Berth.Web;

/// <summary>
/// Errors as RFC 9457 problem details (<c>application/problem+json</c>): a title, the status, a detail that says how
/// to fix it, and <c>field</c>, the request field at fault (a JSON path, a query parameter, a header, or <c>body</c>).
/// </summary>
public static class Problems
{
    public static IResult Of(int status, string field, string detail) => Results.Problem(
        detail: detail,
        statusCode: status,
        title: Title(status),
        type: $"https://berth.dev/problems/{status}",
        extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult BadRequest(string field, string detail) => Of(StatusCodes.Status400BadRequest, field, detail);

    public static IResult NotFound(string id) => Of(StatusCodes.Status404NotFound, "id", $"no job {id}; list jobs with GET /api/v1/jobs (or berth jobs)");

    public static IResult Forbidden(string queue) => Of(StatusCodes.Status403Forbidden, "queue", $"this token may not act on queue {queue}; use a token for that queue, or ask an admin for one (berth token create --role submitter --queue {queue})");

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        503 => "Service unavailable",
        409 => "Conflict",
        413 => "Request body too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        _ => "Error",
    };
}
