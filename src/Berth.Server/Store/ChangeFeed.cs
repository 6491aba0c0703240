using System.Threading.Channels;
using Berth.Server.Jobs;

namespace Berth.Server.Store;

/// <summary>
/// Committed job changes, fanned out to subscribers (the API's server-sent-events stream). Publishing never
/// blocks the store: each subscriber has a bounded buffer that drops its oldest change when a reader falls behind.
/// Thread-safe.
/// </summary>
public sealed class ChangeFeed
{
    public const int Buffer = 1024;

    private readonly Lock _gate = new();
    private readonly List<Channel<(JobRecord Job, JobEvent Event)>> _subscribers = [];

    public void Publish(JobRecord job, JobEvent e)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite((job, e));
            }
        }
    }

    /// <summary>
    /// Subscribes now: every change committed after this call is in the returned reader, until
    /// <see cref="Unsubscribe"/>.
    /// </summary>
    public ChannelReader<(JobRecord Job, JobEvent Event)> Subscribe()
    {
        var channel = Channel.CreateBounded<(JobRecord, JobEvent)>(new BoundedChannelOptions(Buffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<(JobRecord Job, JobEvent Event)> reader)
    {
        lock (_gate)
        {
            _subscribers.RemoveAll(c => c.Reader == reader);
        }
    }

    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }
}
