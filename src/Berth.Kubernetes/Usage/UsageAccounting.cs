using System.Net;
using System.Text;
using Berth.Kubernetes.Controller;
using Berth.Runtime.Yield;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Usage;

/// <summary>
/// Showback on Kubernetes: the leader integrates the GPU shares that running workloads hold (and their measured
/// activity) over its clock, per UTC day, queue, namespace, user and GPU model (<see cref="UsageLedger"/>), and keeps
/// the totals in the ConfigMap <see cref="ConfigMapName"/> of Berth's namespace, written every flush interval with
/// optimistic concurrency. Why a ConfigMap: the totals are per day and per tenant, not per object (a Job's status
/// would be lost with the Job, and a report must cover deleted workloads); one object read and written whole keeps
/// the totals and who wrote them consistent with each other.
/// <para>
/// No double counting across restarts and hand-overs: a new leader reads the ConfigMap and counts only from its own first
/// decision on (as <see cref="GpuSecondsMeter"/>: the first cycle adds nothing), and adds to the ConfigMap only what it
/// counted itself. A write whose answer was lost is recognised by the writer id and sequence in the ConfigMap, and not
/// added twice. What a leader counted but had not written when it stopped or lost the lease (at most one flush interval)
/// is lost: the report errs low, never high. Thread-safe: one gate around the ledgers.
/// </para>
/// </summary>
public sealed class UsageAccounting
{
    public const string ConfigMapName = "berth-usage";

    public const string DataKey = "usage.json";

    /// <summary>How long after a failed read of the ConfigMap the next is tried (an operator without the RBAC for it logs once a minute, not every decision).</summary>
    public static readonly TimeSpan ReadRetry = TimeSpan.FromMinutes(1);

    /// <summary>Below the API server's 1 MiB object limit, with room for the ConfigMap's metadata.</summary>
    public const int MaxBytes = 900 * 1024;

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _flushEvery;
    private readonly TimeSpan _retention;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _writer = Guid.NewGuid().ToString("N")[..16];
    private volatile bool _forget;
    private bool _loaded;
    private bool _exists;
    private string? _resourceVersion;
    private long _sequence;
    private long _uncertain;
    private UsageLedger _stored = new();
    private UsageLedger _unsaved = new();
    private UsageLedger? _inFlight;
    private DateTimeOffset? _last;
    private DateTimeOffset _nextFlush;
    private DateTimeOffset _readAfter = DateTimeOffset.MinValue;
    private IReadOnlyList<Holding> _held = [];

    /// <param name="flushEvery">How often the totals are written (and so the most a crash can lose).</param>
    /// <param name="retention">Days older than this are dropped when the totals are written.</param>
    public UsageAccounting(IKubernetes client, string ns, TimeProvider time, ILogger logger, TimeSpan flushEvery, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _namespace = ns;
        _time = time;
        _logger = logger;
        _flushEvery = flushEvery;
        _retention = retention;
    }

    /// <summary>Writes that landed (for tests and logs).</summary>
    public int Writes { get; private set; }

    /// <summary>
    /// One decision's GPUs: counts the interval since the last call with what was held then, and writes the totals when a
    /// flush is due. On the first call after a start or a hand-over it reads the ConfigMap first and counts nothing.
    /// Failures of the API server are logged; the decision goes on.
    /// </summary>
    public async Task ObserveAsync(IReadOnlyList<(HeldGpu Gpu, double? Activity)> held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_forget)
            {
                Reset();
            }

            var now = _time.GetUtcNow();
            if (!_loaded)
            {
                if (now < _readAfter)
                {
                    return;
                }

                if (await ReadAsync(cancellationToken).ConfigureAwait(false) is not { } read)
                {
                    _readAfter = now + ReadRetry;
                    return;
                }

                (_stored, _resourceVersion, _exists, _sequence) = (read.Ledger, read.ResourceVersion, read.Exists, read.Sequence);
                _loaded = true;
                _nextFlush = now + _flushEvery;
            }

            Advance(now, held);
            if (now >= _nextFlush)
            {
                _nextFlush = now + _flushEvery;
                await FlushCoreAsync(now, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes what was counted and not yet written (at a graceful stop); nothing when this replica is not accounting.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded && !_forget)
            {
                await FlushCoreAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops accounting (this replica lost the lease): what it had not written is dropped, and it reads again when it leads.</summary>
    public void Forget() => _forget = true;

    /// <summary>
    /// The report for [<paramref name="from"/>, <paramref name="to"/>) over whole UTC days: the leader's totals (written
    /// and not yet written), or on a replica that does not account, what the ConfigMap holds.
    /// </summary>
    public async Task<UsageSummary> SummaryAsync(DateTimeOffset from, DateTimeOffset to, PriceTable? prices, Func<string, bool> sees, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        UsageLedger ledger;
        try
        {
            if (_loaded && !_forget)
            {
                ledger = _stored.Copy();
                if (_inFlight is not null)
                {
                    ledger.Merge(_inFlight);
                }

                ledger.Merge(_unsaved);
            }
            else
            {
                ledger = (await ReadAsync(cancellationToken).ConfigureAwait(false))?.Ledger
                    ?? throw new InvalidOperationException($"the usage ConfigMap {_namespace}/{ConfigMapName} cannot be read now; try again shortly");
            }
        }
        finally
        {
            _gate.Release();
        }

        return ledger.Summary(from, to, prices, sees);
    }

    private void Reset()
    {
        _forget = false;
        _loaded = false;
        _stored = new UsageLedger();
        _unsaved = new UsageLedger();
        _inFlight = null;
        _uncertain = 0;
        _last = null;
        _held = [];
    }

    /// <summary>Adds the interval since the last call, at what was held then, split at UTC midnights; <paramref name="held"/> holds from now on.</summary>
    private void Advance(DateTimeOffset now, IReadOnlyList<(HeldGpu Gpu, double? Activity)> held)
    {
        if (_last is { } last && now > last)
        {
            for (var start = last; start < now;)
            {
                var midnight = new DateTimeOffset(start.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
                var end = midnight < now ? midnight : now;
                var seconds = (end - start).TotalSeconds;
                var day = DateOnly.FromDateTime(start.UtcDateTime);
                foreach (var h in _held)
                {
                    _unsaved.Add(new UsageKey(day, h.Queue, h.Namespace, h.User, h.Model), h.Allocated * seconds, h.Used * seconds, h.Job);
                }

                start = end;
            }
        }

        if (_last is null || now > _last)
        {
            _last = now;
        }

        _held = held.GroupBy(h => (h.Gpu.Job, h.Gpu.Queue, h.Gpu.Namespace, h.Gpu.User, h.Gpu.Model))
            .Select(g => new Holding(g.Key.Job, g.Key.Queue, g.Key.Namespace, g.Key.User, g.Key.Model, g.Sum(h => h.Gpu.Share), g.Sum(h => h.Gpu.Share * (h.Activity ?? 0))))
            .ToArray();
    }

    private async Task FlushCoreAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_unsaved.IsEmpty && _inFlight is null)
        {
            return;
        }

        if (await ReadAsync(cancellationToken).ConfigureAwait(false) is not { } read)
        {
            return;
        }

        if (_inFlight is not null)
        {
            // The last write's answer was lost: it landed when the ConfigMap carries its writer and sequence.
            if (!(read.Writer == _writer && read.Sequence == _uncertain))
            {
                _unsaved.Merge(_inFlight);
            }

            _inFlight = null;
            _uncertain = 0;
        }

        (_stored, _resourceVersion, _exists, _sequence) = (read.Ledger, read.ResourceVersion, read.Exists, read.Sequence);
        if (_unsaved.IsEmpty)
        {
            return;
        }

        var next = _stored.Copy();
        next.Merge(_unsaved);
        var dropped = next.DropBefore(DateOnly.FromDateTime((now - _retention).UtcDateTime));
        var sequence = _sequence + 1;
        var json = next.ToJson(_writer, sequence, now);
        while (Encoding.UTF8.GetByteCount(json) > MaxBytes && next.FirstDay is { } first)
        {
            dropped += next.DropBefore(first.AddDays(1));
            json = next.ToJson(_writer, sequence, now);
        }

        if (dropped > 0)
        {
            _logger.LogWarning("usage: {Dropped} day entries older than the retention or beyond the ConfigMap's size dropped; the earliest day kept is {First}", dropped, next.FirstDay);
        }

        var map = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = ConfigMapName, NamespaceProperty = _namespace, ResourceVersion = _resourceVersion, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "berth" } },
            Data = new Dictionary<string, string> { [DataKey] = json },
        };
        var sending = _unsaved;
        _inFlight = sending;
        _unsaved = new UsageLedger();
        try
        {
            var written = _exists
                ? await _client.CoreV1.ReplaceNamespacedConfigMapAsync(map, ConfigMapName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await _client.CoreV1.CreateNamespacedConfigMapAsync(map, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            (_stored, _resourceVersion, _exists, _sequence) = (next, written.Metadata?.ResourceVersion, true, sequence);
            _inFlight = null;
            Writes++;
        }
        catch (HttpOperationException e)
        {
            // A definite answer (409: someone else wrote since the read): nothing landed; the counts wait for the next flush.
            _unsaved.Merge(sending);
            _inFlight = null;
            _logger.LogWarning("usage: writing ConfigMap {Namespace}/{Name} failed ({Status}); trying again at the next flush", _namespace, ConfigMapName, (int)e.Response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _uncertain = sequence; // the write may have landed: the next flush reads and checks
            _logger.LogWarning("usage: no answer writing ConfigMap {Namespace}/{Name} ({Message}); the next flush checks whether it landed", _namespace, ConfigMapName, e.Message);
        }
    }

    /// <summary>The ConfigMap's totals (empty when it does not exist); null when it cannot be read or parsed (logged).</summary>
    private async Task<(UsageLedger Ledger, string? ResourceVersion, bool Exists, string? Writer, long Sequence)?> ReadAsync(CancellationToken cancellationToken)
    {
        V1ConfigMap map;
        try
        {
            map = await _client.CoreV1.ReadNamespacedConfigMapAsync(ConfigMapName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return (new UsageLedger(), null, false, null, 0);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.LogWarning("usage: reading ConfigMap {Namespace}/{Name} failed ({Message}); GPU-seconds are not counted until it can be read", _namespace, ConfigMapName, e.Message);
            return null;
        }

        if (map.Data?.TryGetValue(DataKey, out var json) != true || string.IsNullOrWhiteSpace(json))
        {
            return (new UsageLedger(), map.Metadata?.ResourceVersion, true, null, 0);
        }

        try
        {
            var (ledger, writer, sequence) = UsageLedger.FromJson(json!);
            return (ledger, map.Metadata?.ResourceVersion, true, writer, sequence);
        }
        catch (FormatException e)
        {
            _logger.LogError("usage: ConfigMap {Namespace}/{Name}: {Message}; GPU-seconds are not counted until it is fixed", _namespace, ConfigMapName, e.Message);
            return null;
        }
    }

    /// <summary>What one workload held on one GPU model at the last decision: GPUs allocated, and GPUs busy (allocated times activity).</summary>
    private sealed record Holding(string Job, string Queue, string Namespace, string User, string Model, double Allocated, double Used);
}
