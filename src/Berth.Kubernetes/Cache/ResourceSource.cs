using k8s;

namespace Berth.Kubernetes.Cache;

/// <summary>
/// How an <see cref="Informer{T}"/> lists and watches one kind of object: a page of a list (with a continue
/// token), and a watch from a resource version whose errors (such as <c>410 Gone</c> sent as an ERROR event)
/// are reported through the callback before the stream ends.
/// </summary>
public sealed record ResourceSource<T>(
    string Kind,
    Func<string?, CancellationToken, Task<ListPage<T>>> List,
    Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> Watch);
