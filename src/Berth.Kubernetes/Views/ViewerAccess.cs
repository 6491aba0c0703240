namespace Berth.Kubernetes.Views;

/// <summary>
/// The answer to "may this request read the views": <see cref="Status"/> 200 with the <see cref="Viewer"/>, or 401
/// (no token, or one the API server does not accept) or 403 (a user who may see nothing) with a
/// <see cref="Detail"/> that says what to do.
/// </summary>
public sealed record ViewerAccess(int Status, Viewer? Viewer, string Detail)
{
    public static ViewerAccess Allowed(Viewer viewer) => new(200, viewer, string.Empty);

    public static ViewerAccess Unauthorized(string detail) => new(401, null, detail);

    public static ViewerAccess Forbidden(string detail) => new(403, null, detail);
}
