namespace Berth.Web;

/// <summary>
/// A live subscription to job changes, made when the source returns it (so nothing committed after is missed):
/// <see cref="Changes"/> yields them until the token given to its enumerator ends; disposing unsubscribes.
/// </summary>
public sealed class ChangeSubscription(IAsyncEnumerable<ChangeView> changes, Action unsubscribe) : IDisposable
{
    private Action? _unsubscribe = unsubscribe;

    public IAsyncEnumerable<ChangeView> Changes { get; } = changes;

    public void Dispose() => Interlocked.Exchange(ref _unsubscribe, null)?.Invoke();
}
