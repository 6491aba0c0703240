namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>The validating admission webhooks a test registered (<see cref="FakeApiServer.AddAdmissionWebhook"/>). Thread-safe.</summary>
internal sealed class AdmissionHooks
{
    private readonly Lock gate = new();
    private readonly List<Func<AdmissionAttempt, WebhookDenial?>> hooks = [];

    public IDisposable Add(Func<AdmissionAttempt, WebhookDenial?> review)
    {
        ArgumentNullException.ThrowIfNull(review);
        lock (gate)
        {
            hooks.Add(review);
        }

        return new Registration(this, review);
    }

    /// <summary>The first denial, or null when every webhook allows the write.</summary>
    public WebhookDenial? Review(AdmissionAttempt attempt)
    {
        Func<AdmissionAttempt, WebhookDenial?>[] current;
        lock (gate)
        {
            current = [.. hooks];
        }

        foreach (var hook in current)
        {
            if (hook(attempt) is { } denial)
            {
                return denial;
            }
        }

        return null;
    }

    private void Remove(Func<AdmissionAttempt, WebhookDenial?> review)
    {
        lock (gate)
        {
            hooks.Remove(review);
        }
    }

    private sealed class Registration(AdmissionHooks owner, Func<AdmissionAttempt, WebhookDenial?> review) : IDisposable
    {
        public void Dispose() => owner.Remove(review);
    }
}
