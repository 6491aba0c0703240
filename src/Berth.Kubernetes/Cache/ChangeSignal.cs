namespace Berth.Kubernetes.Cache;

/// <summary>
/// Wakes one waiter when something changed. Many signals before a wait collapse into one wake-up, so a burst
/// of watch events costs one decision cycle. Thread-safe.
/// </summary>
public sealed class ChangeSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Raise()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // already raised: one wake-up is enough
        }
    }

    /// <summary>Waits for a signal, or at most <paramref name="timeout"/>; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
