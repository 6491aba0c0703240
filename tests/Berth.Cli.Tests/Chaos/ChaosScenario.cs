using System.Globalization;
using Berth.TestKit.Kubernetes.Fake;
using Berth.TestKit.Kubernetes.Snapshots;

namespace Berth.Cli.Tests.Chaos;

/// <summary>
/// The chaos harness of issue 12 ("crash safety as a real process"): the in-process fake API server, two
/// <c>berth operator --leader-elect</c> replicas as separate OS processes talking to it over HTTP, a seeded stream of
/// Jobs and PodGroups arriving and finishing (<see cref="ChaosCluster"/>), and SIGKILLs at seeded moments
/// (<see cref="KillMoment"/>): at the k-th write of a decision, between the bindings of a gang, just after a replica
/// takes the Lease, at rest, or of the follower. A killed replica is restarted at once under a new identity. Every
/// harness step, and after each restart once a replica leads again, the invariants of <see cref="ChaosChecks"/> are
/// checked; after the last kill the stream stops and every submitted workload must be admitted and finish. Run small
/// by <c>ChaosScenarioTests</c> (CI), in full by <c>scenario chaos</c> in bench/Berth.Benchmarks.
/// </summary>
public sealed class ChaosScenario
{
    private const string LeaseNamespace = "berth-system";
    private const string LeaseName = "berth-scheduler";
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(60);

    private readonly ChaosOptions _options;
    private readonly FakeApiServer _server;
    private readonly ChaosCluster _cluster;
    private readonly ChaosChecks _checks;
    private readonly string _kubeconfig;
    private readonly string _logs;
    private readonly Action<string>? _progress;
    private readonly Lock _gate = new();
    private readonly ChaosReplica?[] _replicas = new ChaosReplica?[2];
    private readonly Dictionary<KillMoment, int> _kills = [];
    private readonly List<ChaosViolation> _violations = [];
    private readonly List<ChaosReplica> _dead = [];
    private int _started;
    private int _leaderChecks;
    private long _lastStep;
    private long _lagUntil;
    private TimeSpan _led;
    private ChaosTrigger? _trigger;

    private ChaosScenario(ChaosOptions options, FakeApiServer server, ChaosCluster cluster, string kubeconfig, string logs, Action<string>? progress)
    {
        _options = options;
        _server = server;
        _cluster = cluster;
        _checks = new ChaosChecks(options);
        _kubeconfig = kubeconfig;
        _logs = logs;
        _progress = progress;
    }

    private int TotalKills => _kills.Values.Sum();

    public static async Task<ChaosResult> RunAsync(ChaosOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.BerthDll))
        {
            throw new ArgumentException($"berth.dll not found at {options.BerthDll}: build src/Berth.Cli first, or give its path (--berth)", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.Kills);
        var logs = options.LogFolder ?? Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"berth-chaos-{options.Seed}-{Environment.ProcessId}-{Environment.TickCount64}"));
        Directory.CreateDirectory(logs);
        var clock = TimeProvider.System.GetTimestamp();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources }).ConfigureAwait(false);
        using var client = server.CreateClient();
        var cluster = new ChaosCluster(server, client, options);
        cluster.SeedConfiguration();
        var run = new ChaosScenario(options, server, cluster, Kubeconfig.Write(logs, server.BaseAddress), logs, progress);
        using var hook = server.AddAdmissionWebhook(run.Observe);
        try
        {
            await run.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            run.StopAll();
        }

        var result = new ChaosResult
        {
            Options = options,
            Kills = new Dictionary<KillMoment, int>(run._kills),
            Checks = new Dictionary<ChaosInvariant, int>(run._checks.Checks) { [ChaosInvariant.LeaderElected] = run._leaderChecks },
            Violations = run._violations.ToList(),
            Submitted = cluster.Submitted,
            Admitted = cluster.Workloads.Count(w => w.AdmittedAt is not null),
            Finished = cluster.Workloads.Count(w => w.Stage >= ChaosStage.Finishing),
            Bindings = server.Bindings.Count,
            Replicas = run._started,
            Seconds = TimeProvider.System.GetElapsedTime(clock).TotalSeconds,
            LogFolder = logs,
        };
        if (result.Violations.Count == 0 && options.LogFolder is null)
        {
            Directory.Delete(logs, recursive: true);
        }

        return result;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        Restart(0);
        Restart(1);
        await UntilLeaderAsync(cancellationToken).ConfigureAwait(false);
        var random = _cluster.Random;
        while (TotalKills < _options.Kills)
        {
            await RunForAsync(TimeSpan.FromMilliseconds(random.Next(200, 1200)), cancellationToken).ConfigureAwait(false);
            var pick = random.NextDouble();
            var moment = pick switch
            {
                < 0.3 => KillMoment.MidPlan,
                < 0.6 => KillMoment.BetweenBindings,
                < 0.8 => KillMoment.HandOver,
                < 0.9 => KillMoment.Follower,
                _ => KillMoment.LeaderAtRest,
            };
            switch (moment)
            {
                case KillMoment.Follower:
                    Kill(Follower(), KillMoment.Follower);
                    break;
                case KillMoment.LeaderAtRest:
                    Kill(Leader(), KillMoment.LeaderAtRest);
                    break;
                case KillMoment.MidPlan or KillMoment.BetweenBindings:
                    await KillAtWriteAsync(moment, random.Next(1, moment == KillMoment.MidPlan ? 6 : 4), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await KillDuringHandOverAsync(random.Next(0, 1500), cancellationToken).ConfigureAwait(false);
                    break;
            }

            await UntilLeaderAsync(cancellationToken).ConfigureAwait(false);
            await UntilRepairedAsync(cancellationToken).ConfigureAwait(false); // the check after the restart
            _progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {TotalKills,4} kills ({moment}), leader {LeaderIdentity()}, {_cluster.Submitted} submitted, {_cluster.Workloads.Count(w => w.Stage >= ChaosStage.Finishing)} finished, {_violations.Count} violations"));
        }

        if (_lagUntil != 0)
        {
            _server.ReleaseDelayedEvents();
            _server.DelayBindingEvents(false);
            _lagUntil = 0;
        }

        var drain = TimeProvider.System.GetTimestamp();
        while (_cluster.Workloads.Any(w => w.Stage != ChaosStage.Done) && TimeProvider.System.GetElapsedTime(drain) < _options.DrainTimeout)
        {
            await StepAsync(submit: false, cancellationToken).ConfigureAwait(false);
        }

        foreach (var w in _cluster.Workloads.Where(w => w.Stage != ChaosStage.Done))
        {
            Violation(
                w.AdmittedAt is null ? ChaosInvariant.AdmittedExactlyOnce : ChaosInvariant.GangComplete,
                w.AdmittedAt is null
                    ? $"{w.Key} was never admitted ({_options.DrainTimeout.TotalSeconds:F0} s after the last kill)"
                    : $"{w.Key} admitted but not finished {_options.DrainTimeout.TotalSeconds:F0} s after the last kill (stage {w.Stage})");
        }
    }

    /// <summary>Arms a trigger on the leader's k-th write of the kind the moment names (after a burst of submissions), kills it there; falls back to a kill at rest when no such write comes.</summary>
    private async Task KillAtWriteAsync(KillMoment moment, int k, CancellationToken cancellationToken)
    {
        var trigger = new ChaosTrigger(moment, k, null);
        lock (_gate)
        {
            _trigger = trigger;
        }

        if (_options.WatchLag && _cluster.Random.NextDouble() < 0.5)
        {
            // The follower's watch will not show the dying leader's bindings until after the hand-over and the
            // new leader's first decision: the hardest case for planning on a stale cache.
            _server.DelayBindingEvents();
            _lagUntil = TimeProvider.System.GetTimestamp() + (TimeProvider.System.TimestampFrequency * 8);
        }

        _cluster.SubmitBurst(TimeProvider.System.GetUtcNow());
        var waited = TimeProvider.System.GetTimestamp();
        while (!trigger.Fired.Task.IsCompleted && TimeProvider.System.GetElapsedTime(waited) < TimeSpan.FromSeconds(5))
        {
            await StepAsync(submit: false, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            _trigger = null;
        }

        if (trigger.Fired.Task.IsCompleted)
        {
            Restart(Slot((await trigger.Fired.Task.ConfigureAwait(false)).Identity));
        }
        else
        {
            Kill(Leader(), KillMoment.LeaderAtRest);
        }
    }

    /// <summary>Kills the leader at rest, then the replica that takes the Lease after it, <paramref name="delayMs"/> after it took it.</summary>
    private async Task KillDuringHandOverAsync(int delayMs, CancellationToken cancellationToken)
    {
        var leader = Leader();
        var trigger = new ChaosTrigger(KillMoment.HandOver, 1, leader?.Identity);
        lock (_gate)
        {
            _trigger = trigger;
        }

        Kill(leader, KillMoment.LeaderAtRest);
        var waited = TimeProvider.System.GetTimestamp();
        while (!trigger.Fired.Task.IsCompleted && TimeProvider.System.GetElapsedTime(waited) < HandOverTimeout)
        {
            await StepAsync(submit: true, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            _trigger = null;
        }

        if (!trigger.Fired.Task.IsCompleted || TotalKills >= _options.Kills)
        {
            return;
        }

        var next = await trigger.Fired.Task.ConfigureAwait(false);
        await RunForAsync(TimeSpan.FromMilliseconds(delayMs), cancellationToken).ConfigureAwait(false);
        Kill(next, KillMoment.HandOver);
    }

    /// <summary>
    /// The fake API server's webhook hook: sees every write before it is stored. With a trigger armed it counts the
    /// leader's writes of the moment's kind and SIGKILLs the leader at the k-th (the write itself still lands, as one
    /// already sent does); for a hand-over it notes the replica whose Lease write makes it the new holder.
    /// </summary>
    private WebhookDenial? Observe(AdmissionAttempt attempt)
    {
        lock (_gate)
        {
            if (_trigger is not { } trigger || trigger.Fired.Task.IsCompleted)
            {
                return null;
            }

            if (trigger.Moment == KillMoment.HandOver)
            {
                var holder = attempt.Resource == "leases" ? attempt.Body?["spec"]?["holderIdentity"]?.GetValue<string>() : null;
                if (holder is not null && holder != trigger.PreviousHolder && Alive(holder) is { } next)
                {
                    trigger.Fired.TrySetResult(next);
                }

                return null;
            }

            if (!IsDecisionWrite(attempt, trigger.Moment) || --trigger.Remaining > 0)
            {
                return null;
            }

            var leader = Alive(LeaderIdentity());
            if (leader is not null)
            {
                Kill(leader, trigger.Moment);
                trigger.Fired.TrySetResult(leader);
            }

            return null;
        }
    }

    /// <summary>A write only the leading replica makes (the harness's own are updates of pods and statuses, and deletes).</summary>
    private static bool IsDecisionWrite(AdmissionAttempt attempt, KillMoment moment) => moment == KillMoment.BetweenBindings
        ? attempt.Resource == "pods/binding"
        : attempt.Verb != "delete" && !(attempt.Verb == "update" && attempt.Resource is "pods" or "pods/status" or "jobs/status")
            && attempt.Resource is not ("leases" or "secrets" or "events");

    private void Kill(ChaosReplica? replica, KillMoment moment)
    {
        if (replica is null)
        {
            return;
        }

        lock (_gate)
        {
            if (!replica.Alive && _dead.Contains(replica))
            {
                return;
            }

            replica.Kill();
            _dead.Add(replica);
            _kills[moment] = _kills.GetValueOrDefault(moment) + 1;
        }

        if (moment != KillMoment.MidPlan && moment != KillMoment.BetweenBindings)
        {
            Restart(Slot(replica.Identity));
        }
    }

    private void Restart(int slot)
    {
        lock (_gate)
        {
            if (_replicas[slot] is { Alive: true })
            {
                return;
            }

            var identity = string.Create(CultureInfo.InvariantCulture, $"berth-{(char)('a' + slot)}-{_started++}");
            _replicas[slot] = ChaosReplica.Start(_options, _kubeconfig, identity, _logs);
        }
    }

    private static int Slot(string identity) => identity[6] - 'a';

    private void StopAll()
    {
        lock (_gate)
        {
            foreach (var replica in _replicas)
            {
                replica?.Dispose();
            }
        }
    }

    private string? LeaderIdentity() =>
        _server.GetObject("coordination.k8s.io", "v1", "leases", LeaseName, LeaseNamespace)?["spec"]?["holderIdentity"]?.GetValue<string>();

    private ChaosReplica? Alive(string? identity)
    {
        lock (_gate)
        {
            return _replicas.FirstOrDefault(r => r is not null && r.Identity == identity && r.Alive);
        }
    }

    private ChaosReplica? Leader() => Alive(LeaderIdentity());

    private ChaosReplica? Follower()
    {
        var leader = LeaderIdentity();
        lock (_gate)
        {
            return _replicas.FirstOrDefault(r => r is not null && r.Identity != leader && r.Alive);
        }
    }

    /// <summary>Steps until a live replica holds the Lease (a killed one's Lease runs out first).</summary>
    private async Task UntilLeaderAsync(CancellationToken cancellationToken)
    {
        _leaderChecks++;
        var waited = TimeProvider.System.GetTimestamp();
        while (Leader() is null)
        {
            if (TimeProvider.System.GetElapsedTime(waited) > HandOverTimeout)
            {
                Violation(ChaosInvariant.LeaderElected, $"no live replica took the Lease within {HandOverTimeout.TotalSeconds:F0} s (holder: {LeaderIdentity() ?? "none"})");
                return;
            }

            await StepAsync(submit: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Steps until the new leader has bound every admitted gang's minimum (what a kill left half done), at most the gang timeout.</summary>
    private async Task UntilRepairedAsync(CancellationToken cancellationToken)
    {
        var waited = TimeProvider.System.GetTimestamp();
        do
        {
            await StepAsync(submit: true, cancellationToken).ConfigureAwait(false);
        }
        while (_cluster.Incomplete(_cluster.Read(TimeProvider.System.GetUtcNow(), _led)).Any() && TimeProvider.System.GetElapsedTime(waited) < _options.GangTimeout);
    }

    private async Task RunForAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = TimeProvider.System.GetTimestamp();
        do
        {
            await StepAsync(submit: true, cancellationToken).ConfigureAwait(false);
        }
        while (TimeProvider.System.GetElapsedTime(start) < duration);
    }

    /// <summary>One harness step: read the server, observe and check, then play the rest of the cluster.</summary>
    private async Task StepAsync(bool submit, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetTimestamp();
        if (_lastStep != 0 && Leader() is not null)
        {
            _led += TimeProvider.System.GetElapsedTime(_lastStep, now);
        }

        _lastStep = now;
        Lag(now);
        var snapshot = _cluster.Read(TimeProvider.System.GetUtcNow(), _led);
        _cluster.Observe(snapshot, Violation);
        _checks.Check(snapshot, _server.Bindings, _cluster.Workloads, Violation);
        await _cluster.ActAsync(snapshot, submit, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Step, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>With <see cref="ChaosOptions.WatchLag"/>: starts holding back binding events now and then, and releases them after 0.5-3 s.</summary>
    private void Lag(long now)
    {
        if (!_options.WatchLag)
        {
            return;
        }

        if (_lagUntil != 0 && now >= _lagUntil)
        {
            _server.ReleaseDelayedEvents();
            _server.DelayBindingEvents(false);
            _lagUntil = 0;
        }
        else if (_lagUntil == 0 && _cluster.Random.NextDouble() < 0.05)
        {
            _server.DelayBindingEvents();
            _lagUntil = now + (long)(TimeProvider.System.TimestampFrequency * (0.5 + 2.5 * _cluster.Random.NextDouble()));
        }
    }

    private void Violation(ChaosInvariant invariant, string message)
    {
        var violation = new ChaosViolation(invariant, TotalKills, message);
        lock (_gate)
        {
            _violations.Add(violation);
        }

        _progress?.Invoke("VIOLATION " + violation);
    }

}
