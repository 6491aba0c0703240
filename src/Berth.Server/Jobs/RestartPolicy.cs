using System.Globalization;

namespace Berth.Server.Jobs;

/// <summary>
/// What happens when a job's pod exits with an error on the local executor: <c>Never</c> (the job fails) or
/// <c>OnFailure</c> (it goes back to its queue, at its place, up to its backoff limit, waiting 10 s, 20 s, 40 s, ...
/// up to 5 min before each new try, as Kubernetes backs off a failing pod).
/// </summary>
public static class RestartPolicy
{
    public const string Never = "Never";

    public const string OnFailure = "OnFailure";

    public const int DefaultBackoffLimit = 3;

    private static readonly TimeSpan Base = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(5);

    /// <summary>True when a job whose last try failed, after <paramref name="restarts"/> restarts, tries again.</summary>
    public static bool Restarts(JobSpec spec, int restarts)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return string.Equals(spec.RestartPolicy, OnFailure, StringComparison.Ordinal) && restarts < (spec.BackoffLimit ?? DefaultBackoffLimit);
    }

    /// <summary>How long a job waits before its <paramref name="restart"/>-th restart (1 for the first).</summary>
    public static TimeSpan Backoff(int restart) =>
        restart < 1 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(Cap.Ticks, Base.Ticks << Math.Min(restart - 1, 20)));

    /// <summary>Why a job waiting for its restart is not tried before <paramref name="until"/>.</summary>
    public static string Waiting(int restart, DateTimeOffset until) =>
        string.Create(CultureInfo.InvariantCulture, $"restart {restart} after a failed try; tried again after {until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
}
