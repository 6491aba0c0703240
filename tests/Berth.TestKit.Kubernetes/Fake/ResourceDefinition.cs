namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// One resource the fake serves, as the real API server's discovery would describe it:
/// <c>/api/v1/...</c> when <see cref="Group"/> is empty, else <c>/apis/{Group}/{Version}/...</c>.
/// </summary>
/// <param name="Group">API group; empty for the core group.</param>
/// <param name="Version">API version within the group, e.g. <c>v1</c> or <c>v1alpha1</c>.</param>
/// <param name="Plural">The resource's URL segment, e.g. <c>pods</c> or <c>podgroups</c>.</param>
/// <param name="Kind">The object kind, e.g. <c>Pod</c>; lists are <c>{Kind}List</c>.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="HasStatusSubresource">
/// Whether <c>/status</c> is served; then the main resource ignores changes to <c>.status</c> and
/// <c>/status</c> changes nothing else, as on the real server.
/// </param>
public sealed record ResourceDefinition(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    bool HasStatusSubresource = true)
{
    /// <summary><c>v1</c> for the core group, else <c>{Group}/{Version}</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The resource as error messages name it: <c>pods</c>, <c>jobs.batch</c>, <c>queues.berth.dev</c>.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : Plural + "." + Group;

    /// <summary>True for the Kubernetes built-in types (served from the fake's own list, not from options).</summary>
    internal bool BuiltIn { get; init; }

    internal bool Is(string group, string plural) => Group == group && Plural == plural;
}
