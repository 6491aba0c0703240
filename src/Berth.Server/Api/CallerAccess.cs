using Berth.Server.Access;
using Berth.Web;
using Microsoft.AspNetCore.Http;

namespace Berth.Server.Api;

/// <summary>
/// Bearer-token check in front of <c>/api/v1</c>: no or an unknown token is 401 (with <c>WWW-Authenticate</c>),
/// else the caller is kept on the request for the handlers' 403 checks. Health, readiness, metrics and the OpenAPI
/// document need no token.
/// </summary>
public static class CallerAccess
{
    private const string Key = "berth.caller";

    public static async Task Check(HttpContext context, RequestDelegate next, TokenRegistry tokens)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(tokens);
        if (!context.Request.Path.StartsWithSegments("/api/v1", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var caller = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? tokens.Find(header[scheme.Length..].Trim()) : null;
        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var detail = header.Length == 0
                ? "no token; send 'Authorization: Bearer TOKEN' (the admin token is in DATA_DIR/admin.token; berth reads BERTH_TOKEN)"
                : "the token is not known to this server; use a token it made (berth token create), or the admin token in DATA_DIR/admin.token";
            await Problems.Of(StatusCodes.Status401Unauthorized, "Authorization", detail).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Items[Key] = caller;
        await next(context).ConfigureAwait(false);
    }

    public static Caller Caller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[Key] as Caller ?? throw new InvalidOperationException("no caller on an /api/v1 request; CallerAccess must run first");
    }

    /// <summary>What the request's caller may see: a submitter its queues, every other role everything.</summary>
    public static ViewScope Scope(this HttpContext context)
    {
        var caller = context.Caller();
        return new ViewScope(caller.Name, caller.Role == Role.Submitter ? caller.Queues : null);
    }
}
