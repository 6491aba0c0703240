namespace Berth.Model.Queueing;

/// <summary>
/// Everything admission needs besides nodes and workloads: flavors, the cohort tree, queues and
/// priority classes. <see cref="Validate"/> rejects what cannot work (unknown names, a cycle in the cohort
/// tree, negative quotas) with a message that names the object and the field.
/// </summary>
public sealed record QueueConfiguration
{
    public IReadOnlyList<Flavor> Flavors { get; init; } = [];

    public IReadOnlyList<Cohort> Cohorts { get; init; } = [];

    public IReadOnlyList<Queue> Queues { get; init; } = [];

    public IReadOnlyList<PriorityClass> PriorityClasses { get; init; } = [];

    public IReadOnlyList<AdmissionCheck> AdmissionChecks { get; init; } = [];

    /// <summary>
    /// Usage-history fair sharing (Kueue's <c>usageHalfLifeTime</c>, Slurm's fair-share decay): when set, each
    /// queue keeps an exponentially decayed average of its past weighted dominant-resource share, halving every
    /// this long once the queue borrows no more, and fair-share ordering adds it to the queue's current share
    /// (see <c>AdmissionScheduler.UsageHistory</c> for the exact definition). Null (the default): ordering uses
    /// the current share only. More than 0 when set.
    /// </summary>
    public TimeSpan? UsageHalfLife { get; init; }

    public void Validate()
    {
        Unique(Flavors.Select(f => f.Name), "flavor");
        Unique(Cohorts.Select(c => c.Name), "cohort");
        Unique(Queues.Select(q => q.Name), "queue");
        Unique(PriorityClasses.Select(p => p.Name), "priority class");
        Unique(AdmissionChecks.Select(c => c.Name), "admission check");
        if (UsageHalfLife is { } halfLife && halfLife <= TimeSpan.Zero)
        {
            throw new ArgumentException($"usageHalfLife is {halfLife}; a usage half-life must be more than 0, such as 2h (leave it out to turn usage-history fair sharing off)", "usageHalfLife");
        }

        foreach (var check in AdmissionChecks)
        {
            if (check.Delay < TimeSpan.Zero || check.RetryTimes < 0)
            {
                throw new ArgumentException($"admission check {check.Name}: delay and retryTimes must be 0 or more", "delay");
            }
        }

        var flavors = Flavors.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var cohorts = Cohorts.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var cohort in Cohorts)
        {
            if (cohort.Parent is { } parent && !cohorts.ContainsKey(parent))
            {
                throw new ArgumentException($"cohort {cohort.Name}: parent '{parent}' is not a cohort; declare it under cohorts or remove the parent", "parent");
            }

            if (!(cohort.Weight > 0) || double.IsInfinity(cohort.Weight))
            {
                throw new ArgumentException($"cohort {cohort.Name}: weight is {cohort.Weight}; a fair-share weight must be a positive number", "weight");
            }

            CheckQuotas($"cohort {cohort.Name}", cohort.Quotas, flavors);
        }

        foreach (var cohort in Cohorts)
        {
            var seen = new List<string> { cohort.Name };
            for (var parent = cohort.Parent; parent is not null; parent = cohorts[parent].Parent)
            {
                if (seen.Contains(parent, StringComparer.Ordinal))
                {
                    seen.Add(parent);
                    throw new ArgumentException($"cohort {cohort.Name}: the cohort tree has a cycle ({string.Join(" -> ", seen)}); each cohort's parent chain must end at a root", "parent");
                }

                seen.Add(parent);
            }
        }

        foreach (var queue in Queues)
        {
            if (queue.Cohort is { } cohort && !cohorts.ContainsKey(cohort))
            {
                throw new ArgumentException($"queue {queue.Name}: cohort '{cohort}' is not declared; add it under cohorts or remove the field", "cohort");
            }

            if (!(queue.Weight > 0) || double.IsInfinity(queue.Weight))
            {
                throw new ArgumentException($"queue {queue.Name}: weight is {queue.Weight}; a fair-share weight must be a positive number", "weight");
            }

            if (queue.MinRuntime < TimeSpan.Zero)
            {
                throw new ArgumentException($"queue {queue.Name}: minRuntime is negative; give 0 or a duration such as 10m", "minRuntime");
            }

            queue.IdleGpus?.Validate(queue.Name);

            foreach (var check in queue.AdmissionChecks)
            {
                if (!AdmissionChecks.Any(c => c.Name == check))
                {
                    throw new ArgumentException($"queue {queue.Name}: admission check '{check}' is not declared; add it under admissionChecks or fix the name", "admissionChecks");
                }
            }

            if (queue.DisruptionBudget is < 0)
            {
                throw new ArgumentException($"queue {queue.Name}: disruptionBudget is {queue.DisruptionBudget}; give 0 or more evictions per window (leave it out for no limit)", "disruptionBudget");
            }

            if (queue.DisruptionWindow <= TimeSpan.Zero)
            {
                throw new ArgumentException($"queue {queue.Name}: disruptionWindow must be more than 0, such as 1h", "disruptionWindow");
            }

            if (queue.Flavors.Count == 0)
            {
                throw new ArgumentException($"queue {queue.Name}: has no flavors; list at least one flavor with its quota", "flavors");
            }

            CheckQuotas($"queue {queue.Name}", queue.Flavors, flavors);
        }
    }

    private static void CheckQuotas(string owner, IReadOnlyList<FlavorQuota> quotas, HashSet<string> flavors)
    {
        Unique(quotas.Select(q => q.Flavor), $"{owner}: flavor");
        foreach (var quota in quotas)
        {
            if (!flavors.Contains(quota.Flavor))
            {
                throw new ArgumentException($"{owner}: flavor '{quota.Flavor}' is not declared; add it under flavors or fix the name", "flavor");
            }

            foreach (var kind in Enum.GetValues<ResourceKind>())
            {
                quota[kind]?.Validate($"{owner}, flavor {quota.Flavor}, {kind.ToString().ToLowerInvariant()}");
            }

            foreach (var (name, nominal) in quota.Devices)
            {
                if (DeviceQuotaProblem(name, nominal) is { } problem)
                {
                    throw new ArgumentException($"{owner}, flavor {quota.Flavor}: {problem}", "devices");
                }
            }
        }
    }

    /// <summary>Why a device quota cannot be used (an unknown name or a negative amount); null when it can.</summary>
    public static string? DeviceQuotaProblem(string name, long nominal)
    {
        ArgumentNullException.ThrowIfNull(name);
        var known = name is Gpus.GpuResourceNames.SharedGpu or Gpus.GpuResourceNames.GpuMemory
            || (Gpus.GpuResourceNames.MigProfileOf(name) is { } profile && Gpus.MigGeometries.Models.Any(m => Gpus.MigGeometries.TryGet(m, out var g) && g.TryGetProfile(profile, out _)));
        if (!known)
        {
            return $"device quota '{name}' is not a device resource; use {Gpus.GpuResourceNames.MigPrefix}<profile> (a MIG profile such as 1g.10gb), {Gpus.GpuResourceNames.SharedGpu} or {Gpus.GpuResourceNames.GpuMemory}";
        }

        return nominal < 0 ? $"device quota {name} is {nominal}; a quota must be 0 or more" : null;
    }

    private static void Unique(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"a {what} has an empty name; give it a name", "name");
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"{what} '{name}' is declared twice; names must be unique", "name");
            }
        }
    }
}
