namespace Berth.Kubernetes.Controller;

/// <summary>
/// Per-object backoff for the writes of a plan (what controller-runtime's rate-limited work queue does per key):
/// a write that failed is not tried again for that object before its delay passes, the delay doubling with each
/// failure in a row from <see cref="Base"/> up to <see cref="Max"/>; a success forgets the object. Keys name the
/// object written (<c>pod/ns/name</c>, <c>job/ns/name</c>, <c>podgroups/ns/name</c>, ...), so one object that the
/// API server keeps refusing holds back only the writes to that object, never the rest of a plan.
/// <para>
/// A failure is <em>permanent</em> when retrying cannot help by itself: a 4xx other than 409 and 429 (forbidden,
/// invalid, denied by an admission webhook), or a 5xx for the <see cref="ServerErrorBudget"/>th time in a row.
/// The executor reports a permanent failure once on the workload (a condition and an event) and keeps retrying at
/// the longest delay, so a fixed cause (a budget removed, a webhook changed) heals without a restart.
/// </para>
/// Time comes from the injected <see cref="TimeProvider"/>. Thread-safe (bindings fail in parallel).
/// </summary>
public sealed class ActionBackoff(TimeProvider time)
{
    /// <summary>The delay after a first failure.</summary>
    public static readonly TimeSpan Base = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    /// <summary>Server errors (5xx, timeouts) in a row on one object before they count as a permanent refusal.</summary>
    public const int ServerErrorBudget = 5;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Objects held back now.</summary>
    public int Held
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_gate)
            {
                return _entries.Values.Count(e => e.RetryAt > now);
            }
        }
    }

    /// <summary>True while a write to <paramref name="key"/> must wait.</summary>
    public bool IsHeld(string key)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return _entries.TryGetValue(key, out var entry) && entry.RetryAt > now;
        }
    }

    /// <summary>When the earliest held object may be tried again; null when none is held.</summary>
    public DateTimeOffset? NextRetry()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            DateTimeOffset? next = null;
            foreach (var entry in _entries.Values)
            {
                if (entry.RetryAt > now && (next is null || entry.RetryAt < next))
                {
                    next = entry.RetryAt;
                }
            }

            return next;
        }
    }

    /// <summary>
    /// Records a failed write to <paramref name="key"/> that answered <paramref name="statusCode"/> (null: no
    /// answer, a timeout or a cut connection). Returns the failure: its delay, whether it is permanent, and whether
    /// it just became so (the one time to report it).
    /// </summary>
    public WriteFailure RecordFailure(string key, int? statusCode)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var previous = _entries.GetValueOrDefault(key);
            var failures = previous.Failures + 1;
            var serverErrors = statusCode is null or >= 500 ? previous.ServerErrors + 1 : 0;
            var permanent = IsRefusal(statusCode) || serverErrors >= ServerErrorBudget;
            var delay = permanent ? Max : Delay(failures);
            _entries[key] = new Entry(failures, serverErrors, now + delay, permanent);
            return new WriteFailure(failures, delay, permanent, permanent && !previous.Permanent);
        }
    }

    /// <summary>Forgets <paramref name="key"/>: its write went through (or is no longer needed).</summary>
    public void RecordSuccess(string key)
    {
        lock (_gate)
        {
            _entries.Remove(key);
        }
    }

    /// <summary>True for the answers retrying cannot fix: a 4xx other than 409 Conflict and 429 Too Many Requests.</summary>
    public static bool IsRefusal(int? statusCode) => statusCode is >= 400 and < 500 and not 409 and not 429;

    /// <summary><see cref="Base"/> doubled for each failure after the first, at most <see cref="Max"/>.</summary>
    public static TimeSpan Delay(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var doublings = Math.Min(failures - 1, 20);
        var ticks = Base.Ticks << doublings;
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks(ticks);
    }

    private readonly record struct Entry(int Failures, int ServerErrors, DateTimeOffset RetryAt, bool Permanent);
}
