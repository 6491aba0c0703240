namespace Berth.Kubernetes.Cache;

/// <summary>One page of a list call: the items, the list's resource version and the token for the next page (null: last page).</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);
