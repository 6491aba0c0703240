namespace Berth.Kubernetes.Dra;

/// <summary>
/// A pod's claims resolved, or why not: <see cref="Error"/> for input that will not work until someone fixes it (the
/// field and the fix), <see cref="Wait"/> for an object not there yet (a claim or template still to be created).
/// </summary>
internal sealed record PodClaims(IReadOnlyList<PodClaim> Claims, string? Error, string? Wait)
{
    public static PodClaims Invalid(string error) => new([], error, null);

    public static PodClaims Waiting(string wait) => new([], null, wait);
}
