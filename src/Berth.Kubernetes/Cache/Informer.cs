using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Cache;

/// <summary>
/// Keeps a local copy of one kind of object: list (all pages), then watch from the list's resource version,
/// resuming from the last version seen when a stream ends or breaks, and listing again when the server says
/// the version is too old (<c>410 Gone</c>). Thread-safe: the watch loop writes, anyone reads a snapshot.
/// </summary>
public sealed class Informer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceSource<T> _source;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action _changed;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private string _resourceVersion = string.Empty;
    private long _version;

    public Informer(ResourceSource<T> source, Action changed, ILogger logger, TimeProvider time)
    {
        _source = source;
        _changed = changed;
        _logger = logger;
        _time = time;
    }

    public string Kind => _source.Kind;

    /// <summary>Completes when the first full list is in.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Bumped on every change; a reader can tell whether anything moved since it last looked.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The resource version the cache has seen up to: its last list's, then each event's (bookmarks included); empty before the first list.</summary>
    public string ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>How many times the informer listed everything (1 at start, one more per relist).</summary>
    public int Lists { get; private set; }

    /// <summary>How many watch streams it opened.</summary>
    public int Watches { get; private set; }

    /// <summary>The last error that interrupted listing or watching (for diagnosis); null when none.</summary>
    public Exception? LastError { get; private set; }

    public static string KeyOf(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var meta = item.Metadata;
        return string.IsNullOrEmpty(meta?.NamespaceProperty) ? meta?.Name ?? string.Empty : meta.NamespaceProperty + "/" + meta.Name;
    }

    /// <summary>The objects now, ordered by key (namespace/name).</summary>
    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            var items = _items.Values.ToArray();
            Array.Sort(items, (a, b) => string.CompareOrdinal(KeyOf(a), KeyOf(b)));
            return items;
        }
    }

    public T? Get(string key)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var needList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await ListAllAsync(cancellationToken).ConfigureAwait(false);
                    needList = false;
                }

                Exception? streamError = null;
                Watches++;
                await foreach (var (type, item) in _source.Watch(_resourceVersion, e => streamError = e, cancellationToken).ConfigureAwait(false))
                {
                    Apply(type, item);
                    backoff = TimeSpan.FromMilliseconds(100);
                }

                if (streamError is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
                {
                    _logger.LogInformation("{Kind}: resource version {Version} expired; listing again", Kind, _resourceVersion);
                    needList = true;
                }
                else if (streamError is not null)
                {
                    _logger.LogWarning(streamError, "{Kind}: watch ended with an error; resuming from {Version}", Kind, _resourceVersion);
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                _logger.LogInformation("{Kind}: resource version {Version} expired; listing again", Kind, _resourceVersion);
                needList = true;
            }
            catch (Exception e)
            {
                // Transport errors, an unexpected answer, a body that does not parse: log, wait, list again.
                _logger.LogWarning("{Kind}: {Error}; retrying in {Backoff} ms", Kind, e.Message, backoff.TotalMilliseconds);
                LastError = e;
                needList = e is not (HttpRequestException or IOException or TaskCanceledException);
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task ListAllAsync(CancellationToken cancellationToken)
    {
        var items = new Dictionary<string, T>(StringComparer.Ordinal);
        string? token = null;
        string version;
        do
        {
            var page = await _source.List(token, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                items[KeyOf(item)] = item;
            }

            version = page.ResourceVersion;
            token = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
        }
        while (token is not null);

        lock (_gate)
        {
            _items = items;
            _resourceVersion = version;
            Lists++;
        }

        Interlocked.Increment(ref _version);
        _synced.TrySetResult();
        _changed();
    }

    private void Apply(WatchEventType type, T item)
    {
        if (item?.Metadata is null)
        {
            return;
        }

        lock (_gate)
        {
            if (!string.IsNullOrEmpty(item.Metadata.ResourceVersion))
            {
                _resourceVersion = item.Metadata.ResourceVersion;
            }

            switch (type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    _items[KeyOf(item)] = item;
                    break;
                case WatchEventType.Deleted:
                    _items.Remove(KeyOf(item));
                    break;
                default:
                    return; // bookmarks only move the resource version
            }
        }

        Interlocked.Increment(ref _version);
        _changed();
    }
}
