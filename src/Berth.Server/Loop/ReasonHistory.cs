using Berth.Web;

namespace Berth.Server.Loop;

/// <summary>
/// Every pending reason each job has had, from the decision cycles: a new entry when its reason code changes, at most
/// <see cref="PerJob"/> per job (the oldest dropped), for the last <see cref="Jobs"/> jobs that waited (the longest
/// known forgotten first). Derived and in memory, like the reasons themselves: a restart starts afresh. Thread-safe.
/// </summary>
public sealed class ReasonHistory
{
    public const int PerJob = 32;

    public const int Jobs = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<ReasonView>> _byJob = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>Adds this cycle's reasons (a job whose code did not change adds nothing).</summary>
    public void Record(DateTimeOffset now, IReadOnlyDictionary<string, PendingInfo> pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        lock (_gate)
        {
            foreach (var (id, info) in pending)
            {
                if (!_byJob.TryGetValue(id, out var list))
                {
                    _byJob[id] = list = [];
                    _order.Enqueue(id);
                    if (_order.Count > Jobs)
                    {
                        _byJob.Remove(_order.Dequeue());
                    }
                }

                if (list.Count == 0 || list[^1].Code != info.Code)
                {
                    list.Add(new ReasonView(now, info.Code, info.Message));
                    if (list.Count > PerJob)
                    {
                        list.RemoveAt(0);
                    }
                }
            }
        }
    }

    public IReadOnlyList<ReasonView> Of(string job)
    {
        lock (_gate)
        {
            return _byJob.TryGetValue(job, out var list) ? list.ToArray() : [];
        }
    }
}
