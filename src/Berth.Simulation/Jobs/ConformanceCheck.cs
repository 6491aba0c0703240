using System.Globalization;
using Berth.Engine.Admission;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// Checks a run's event log against a scenario's expectations. Rules:
/// <list type="bullet">
/// <item>Admitted, Evicted, Finished, Failed, Submitted, Idle: an event of that kind for that workload at exactly
///   that second, with the reason (Evicted, Failed), flavor and pod count when given;</item>
/// <item>Pending: after everything at that second, the workload waits and its current reason is the one given;</item>
/// <item>completeness: every Admitted and Evicted event in the log must be expected, so a scenario pins
///   all admissions and evictions, not only some.</item>
/// </list>
/// </summary>
public static class ConformanceCheck
{
    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal) { "Submitted", "Admitted", "Pending", "Evicted", "Finished", "Failed", "Idle" };

    /// <summary>Runs the scenario under <paramref name="profile"/> and returns every mismatch (empty when it conforms).</summary>
    public static IReadOnlyList<string> Run(Scenario scenario, string profile)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var result = JobReplay.Run(scenario, profile, new JobReplayOptions { KeepEvents = true });
        return Verify(scenario, result.Events);
    }

    public static IReadOnlyList<string> Verify(Scenario scenario, IReadOnlyList<AdmissionEvent> log)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(log);
        var problems = new List<string>();
        var matched = new HashSet<AdmissionEvent>(ReferenceEqualityComparer.Instance);
        foreach (var e in scenario.Expectations)
        {
            var where = $"{Path.GetFileName(scenario.File)}:{e.Line}";
            if (!Kinds.Contains(e.Kind))
            {
                problems.Add($"{where}: event '{e.Kind}' is not one of {string.Join(", ", Kinds)}");
                continue;
            }

            var at = (long)e.At.TotalSeconds;
            if (e.Kind == "Pending")
            {
                var last = log.LastOrDefault(x => x.Workload == e.Workload && (long)x.At.TotalSeconds <= at && x.Kind != AdmissionEventKind.Submitted);
                if (last is null || last.Kind is not AdmissionEventKind.Pending and not AdmissionEventKind.Evicted)
                {
                    problems.Add($"{where}: expected {e.Workload} pending at {at}s, but {(last is null ? "nothing had happened to it" : $"its last event was {last}")}");
                }
                else if (e.Reason is { } reason)
                {
                    var current = last.Kind == AdmissionEventKind.Pending ? last.Reason : nameof(PendingReasonCode.Queued);
                    if (!string.Equals(current, reason, StringComparison.Ordinal))
                    {
                        problems.Add($"{where}: expected {e.Workload} pending with {reason} at {at}s, but its reason was {current} ({last.Detail})");
                    }
                }

                continue;
            }

            var hit = log.FirstOrDefault(x => !matched.Contains(x) && x.Workload == e.Workload && x.Kind.ToString() == e.Kind && (long)x.At.TotalSeconds == at
                && (e.Reason is null || x.Reason == e.Reason)
                && (e.Flavor is null || x.Flavor == e.Flavor)
                && (e.Pods is null || x.Pods == e.Pods));
            if (hit is null)
            {
                var seen = log.Where(x => x.Workload == e.Workload && x.Kind is not AdmissionEventKind.Pending and not AdmissionEventKind.Submitted).Select(x => x.ToString()).ToArray();
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{where}: expected {e.Kind} {e.Workload} at {at}s{(e.Reason is null ? string.Empty : " reason " + e.Reason)}{(e.Flavor is null ? string.Empty : " flavor " + e.Flavor)}{(e.Pods is null ? string.Empty : $" pods {e.Pods}")}; its events were: {(seen.Length == 0 ? "none" : string.Join("; ", seen))}"));
            }
            else
            {
                matched.Add(hit);
            }
        }

        foreach (var x in log.Where(x => x.Kind is AdmissionEventKind.Admitted or AdmissionEventKind.Evicted && !matched.Contains(x)))
        {
            problems.Add($"{Path.GetFileName(scenario.File)}: unexpected event {x} (every admission and eviction must be listed under expect)");
        }

        return problems;
    }
}
