using System.Globalization;
using Berth.Kubernetes.Api;
using Berth.Model;
using Berth.Model.Queueing;
using k8s.Models;
using ApiCohort = Berth.Kubernetes.Api.Cohort;
using ApiFlavor = Berth.Kubernetes.Api.Flavor;
using ApiQueue = Berth.Kubernetes.Api.Queue;
using ModelCohort = Berth.Model.Queueing.Cohort;
using ModelFlavor = Berth.Model.Queueing.Flavor;
using ModelQueue = Berth.Model.Queueing.Queue;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Turns the cluster's Flavor, Cohort and Queue objects into the model's <see cref="QueueConfiguration"/>.
/// Pure and deterministic: the inputs are sorted by name (then uid), so their order does not matter.
/// <para>
/// Each object is judged on its own: one that is invalid (a bad or negative quantity, an unknown enum value
/// or duration, an unknown or not-Ready cohort or flavor) is left out of the configuration with a Ready=False
/// verdict whose message names the field and the fix, and changes nothing for the others. What depends on
/// it is left out too: a queue under a cohort that is not Ready, a queue or cohort whose quota names a
/// flavor that is not Ready. A cycle in the cohort tree invalidates the cohorts in it and everything under
/// them. After its own checks, every object passes <see cref="QueueConfiguration.Validate"/> on its own
/// (with the valid objects it refers to), so the model's rules and messages are the same as in a scenario file.
/// </para>
/// <para>
/// The admission checks a valid queue names are declared in the configuration with no delay; on a cluster
/// the controller gates admitted workloads on the checks' real state.
/// </para>
/// </summary>
public static class QueueTranslator
{
    private static readonly (string, QueueingStrategy)[] Strategies = [("BestEffortFIFO", QueueingStrategy.BestEffortFifo), ("StrictFIFO", QueueingStrategy.StrictFifo)];
    private static readonly (string, StopPolicy)[] StopPolicies = [("None", StopPolicy.None), ("Hold", StopPolicy.Hold), ("HoldAndDrain", StopPolicy.HoldAndDrain)];
    private static readonly (string, WithinQueuePreemption)[] WithinQueue = [("Never", WithinQueuePreemption.Never), ("LowerPriority", WithinQueuePreemption.LowerPriority), ("LowerOrNewerEqualPriority", WithinQueuePreemption.LowerOrNewerEqualPriority)];
    private static readonly (string, IdleAction)[] IdleActions = [("Notify", IdleAction.Notify), ("PreemptFirst", IdleAction.PreemptFirst), ("Reclaim", IdleAction.Reclaim)];
    private static readonly (string, ReclaimPolicy)[] Reclaim = [("Never", ReclaimPolicy.Never), ("LowerPriority", ReclaimPolicy.LowerPriority), ("Any", ReclaimPolicy.Any)];

    public static QueueTranslation Translate(IReadOnlyList<ApiFlavor> flavors, IReadOnlyList<ApiCohort> cohorts, IReadOnlyList<ApiQueue> queues)
    {
        ArgumentNullException.ThrowIfNull(flavors);
        ArgumentNullException.ThrowIfNull(cohorts);
        ArgumentNullException.ThrowIfNull(queues);
        var verdicts = new List<ObjectVerdict>();

        // 1. Flavors, each on its own.
        var flavorVerdicts = new Dictionary<string, ObjectVerdict>(StringComparer.Ordinal);
        var validFlavors = new SortedDictionary<string, ModelFlavor>(StringComparer.Ordinal);
        foreach (var flavor in Ordered(flavors, f => f.Metadata))
        {
            var name = flavor.Metadata?.Name ?? string.Empty;
            var generation = flavor.Metadata?.Generation;
            if (flavorVerdicts.ContainsKey(name))
            {
                verdicts.Add(Duplicate(ApiFlavor.KubeKind, name, generation));
                continue;
            }

            var model = TranslateFlavor(flavor, name, out var failure);
            var verdict = Judge(ApiFlavor.KubeKind, name, generation, failure);
            flavorVerdicts[name] = verdict;
            verdicts.Add(verdict);
            if (model is not null && failure is null)
            {
                validFlavors[name] = model;
            }
        }

        var flavorContext = new FlavorContext(flavorVerdicts, validFlavors.Values.ToArray());

        // 2. Cohorts: own spec, then the tree (cycles, parents), then flavors and the model's rules.
        var cohortEntries = new Dictionary<string, CohortEntry>(StringComparer.Ordinal);
        var cohortOrder = new List<string>();
        foreach (var cohort in Ordered(cohorts, c => c.Metadata))
        {
            var name = cohort.Metadata?.Name ?? string.Empty;
            if (cohortEntries.ContainsKey(name))
            {
                cohortOrder.Add(name);
                cohortEntries[name].Duplicates.Add(Duplicate(ApiCohort.KubeKind, name, cohort.Metadata?.Generation));
                continue;
            }

            var model = TranslateCohortSpec(cohort, name, out var failure);
            cohortEntries[name] = new CohortEntry(name, cohort.Metadata?.Generation, model, failure) { DeclaredParent = string.IsNullOrEmpty(cohort.Spec?.Parent) ? null : cohort.Spec.Parent };
            cohortOrder.Add(name);
        }

        var cycles = FindCycles(cohortEntries);
        var cohortVerdicts = new Dictionary<string, ObjectVerdict>(StringComparer.Ordinal);
        foreach (var name in cohortEntries.Keys.Order(StringComparer.Ordinal))
        {
            ResolveCohort(name, cohortEntries, cycles, cohortVerdicts, flavorContext);
        }

        var emitted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in cohortOrder)
        {
            if (emitted.Add(name))
            {
                verdicts.Add(cohortVerdicts[name]);
                verdicts.AddRange(cohortEntries[name].Duplicates);
            }
        }

        var validCohorts = cohortEntries.Values.Where(e => cohortVerdicts[e.Name].Ready).Select(e => e.Model!).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        var cohortsByName = validCohorts.ToDictionary(c => c.Name, StringComparer.Ordinal);

        // 3. Queues, each on its own against the valid flavors and cohorts.
        var validQueues = new List<ModelQueue>();
        var queueNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var queue in Ordered(queues, q => q.Metadata))
        {
            var name = queue.Metadata?.Name ?? string.Empty;
            var generation = queue.Metadata?.Generation;
            if (!queueNames.Add(name))
            {
                verdicts.Add(Duplicate(ApiQueue.KubeKind, name, generation));
                continue;
            }

            var model = TranslateQueue(queue, name, flavorContext, cohortEntries, cohortVerdicts, cohortsByName, out var failure);
            verdicts.Add(Judge(ApiQueue.KubeKind, name, generation, failure));
            if (model is not null && failure is null)
            {
                validQueues.Add(model);
            }
        }

        var configuration = new QueueConfiguration
        {
            Flavors = validFlavors.Values.ToArray(),
            Cohorts = validCohorts,
            Queues = validQueues,
            AdmissionChecks = validQueues.SelectMany(q => q.AdmissionChecks).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(n => new AdmissionCheck(n)).ToArray(),
        };

        // Every object passed on its own, so the whole passes; a throw here is a bug in this class.
        configuration.Validate();
        return new QueueTranslation(configuration, verdicts);
    }

    private static ModelFlavor? TranslateFlavor(ApiFlavor flavor, string name, out Failure? failure)
    {
        failure = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            failure = Invalid("metadata.name is empty; give the Flavor a name");
            return null;
        }

        var spec = flavor.Spec ?? new FlavorSpec();
        var tolerations = new List<Model.Toleration>();
        for (var i = 0; i < (spec.Tolerations?.Count ?? 0); i++)
        {
            string? problem = "is empty; remove it or give key, operator and effect";
            if (spec.Tolerations![i] is not { } t || ModelMapping.ToToleration(t, out problem) is not { } toleration)
            {
                failure = Invalid($"spec.tolerations[{i}] {problem}");
                return null;
            }

            tolerations.Add(toleration);
        }

        for (var i = 0; i < (spec.NodeTaints?.Count ?? 0); i++)
        {
            string? problem = "is empty; remove it or give key and effect";
            if (spec.NodeTaints![i] is not { } t || ModelMapping.ToTaint(t, out problem) is null)
            {
                failure = Invalid($"spec.nodeTaints[{i}] {problem}");
                return null;
            }
        }

        foreach (var (key, _) in spec.NodeLabels ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                failure = Invalid("spec.nodeLabels has an empty key; give every label a key");
                return null;
            }
        }

        var levels = (spec.TopologyLevels ?? []).Select(l => TopologyKeys.Resolve(l ?? string.Empty)).ToArray();
        if (levels.Any(string.IsNullOrWhiteSpace) || levels.Distinct(StringComparer.Ordinal).Count() != levels.Length)
        {
            failure = Invalid("spec.topologyLevels has an empty or repeated level; list each node label key once, widest first (for example [block, rack, hostname])");
            return null;
        }

        var model = new ModelFlavor(name) { NodeLabels = ModelMapping.Copy(spec.NodeLabels), Tolerations = tolerations, TopologyLevels = levels, Spot = spec.Spot ?? false };
        failure = ModelCheck(new QueueConfiguration { Flavors = [model] }, $"flavor {name}: ");
        return model;
    }

    private static ModelCohort? TranslateCohortSpec(ApiCohort cohort, string name, out Failure? failure)
    {
        failure = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            failure = Invalid("metadata.name is empty; give the Cohort a name");
            return null;
        }

        var spec = cohort.Spec ?? new CohortSpec();
        var quotas = ParseQuotas(spec.Flavors, out failure);
        if (failure is not null)
        {
            return null;
        }

        return new ModelCohort(name)
        {
            Parent = string.IsNullOrEmpty(spec.Parent) ? null : spec.Parent,
            Weight = spec.Weight ?? 1.0,
            Quotas = quotas!,
        };
    }

    private static ObjectVerdict ResolveCohort(
        string name,
        Dictionary<string, CohortEntry> entries,
        Dictionary<string, string> cycles,
        Dictionary<string, ObjectVerdict> verdicts,
        FlavorContext flavors)
    {
        if (verdicts.TryGetValue(name, out var known))
        {
            return known;
        }

        var entry = entries[name];
        var failure = entry.Failure;
        if (failure is null && cycles.TryGetValue(name, out var cycle))
        {
            failure = new Failure(ConditionReasons.CohortCycle, $"spec.parent: the cohort tree has a cycle ({cycle}); each cohort's parent chain must end at a root, so remove or change one of these parents");
        }

        if (failure is null && entry.Model!.Parent is { } parent)
        {
            if (!entries.ContainsKey(parent))
            {
                failure = new Failure(ConditionReasons.UnknownCohort, $"spec.parent: cohort '{parent}' does not exist; create it or remove the parent");
            }
            else if (ResolveCohort(parent, entries, cycles, verdicts, flavors) is { Ready: false } parentVerdict)
            {
                failure = new Failure(ConditionReasons.CohortNotReady, $"spec.parent: cohort '{parent}' is not Ready ({parentVerdict.Reason}); fix that cohort first");
            }
        }

        failure ??= CheckFlavors(entry.Model!.Quotas, flavors);
        if (failure is null)
        {
            var chain = Chain(entry.Model!.Parent, entries).Append(entry.Model!).ToArray();
            failure = ModelCheck(new QueueConfiguration { Flavors = flavors.Valid, Cohorts = chain }, $"cohort {name}: ");
        }

        var verdict = Judge(ApiCohort.KubeKind, name, entry.Generation, failure);
        verdicts[name] = verdict;
        return verdict;
    }

    private static ModelQueue? TranslateQueue(
        ApiQueue queue,
        string name,
        FlavorContext flavors,
        Dictionary<string, CohortEntry> cohortEntries,
        Dictionary<string, ObjectVerdict> cohortVerdicts,
        Dictionary<string, ModelCohort> validCohorts,
        out Failure? failure)
    {
        failure = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            failure = Invalid("metadata.name is empty; give the Queue a name");
            return null;
        }

        var spec = queue.Spec ?? new QueueSpec();
        var quotas = ParseQuotas(spec.Flavors, out failure);
        if (failure is not null)
        {
            return null;
        }

        var strategy = Choice(spec.QueueingStrategy, "spec.queueingStrategy", Strategies, QueueingStrategy.BestEffortFifo, ref failure);
        var stop = Choice(spec.StopPolicy, "spec.stopPolicy", StopPolicies, StopPolicy.None, ref failure);
        var within = Choice(spec.Preemption?.WithinQueue, "spec.preemption.withinQueue", WithinQueue, WithinQueuePreemption.Never, ref failure);
        var reclaim = Choice(spec.Preemption?.ReclaimWithinCohort, "spec.preemption.reclaimWithinCohort", Reclaim, ReclaimPolicy.Never, ref failure);
        var minRuntime = Duration(spec.MinRuntime, "spec.minRuntime", TimeSpan.Zero, ref failure);
        var window = Duration(spec.DisruptionWindow, "spec.disruptionWindow", TimeSpan.FromHours(1), ref failure);
        var idle = IdlePolicy(spec.IdleGpus, ref failure);
        var checks = spec.AdmissionChecks ?? [];
        for (var i = 0; i < checks.Count && failure is null; i++)
        {
            if (string.IsNullOrWhiteSpace(checks[i]))
            {
                failure = Invalid($"spec.admissionChecks[{i}] is empty; name the admission check or remove the entry");
            }
        }

        if (failure is not null)
        {
            return null;
        }

        var cohort = string.IsNullOrEmpty(spec.Cohort) ? null : spec.Cohort;
        if (cohort is not null)
        {
            if (!cohortEntries.ContainsKey(cohort))
            {
                failure = new Failure(ConditionReasons.UnknownCohort, $"spec.cohort: cohort '{cohort}' does not exist; create the Cohort or remove the field");
                return null;
            }

            if (cohortVerdicts[cohort] is { Ready: false } cohortVerdict)
            {
                failure = new Failure(ConditionReasons.CohortNotReady, $"spec.cohort: cohort '{cohort}' is not Ready ({cohortVerdict.Reason}); fix that cohort first");
                return null;
            }
        }

        failure = CheckFlavors(quotas!, flavors);
        if (failure is not null)
        {
            return null;
        }

        var model = new ModelQueue(name)
        {
            Cohort = cohort,
            Flavors = quotas!,
            Weight = spec.Weight ?? 1.0,
            Priority = spec.Priority ?? 0,
            Strategy = strategy,
            Stop = stop,
            Preemption = new QueuePreemption { WithinQueue = within, Reclaim = reclaim, FairShare = spec.Preemption?.FairShare ?? false },
            Fungibility = new FlavorFungibility
            {
                BorrowBeforeNextFlavor = spec.FlavorFungibility?.BorrowBeforeNextFlavor ?? false,
                PreemptBeforeNextFlavor = spec.FlavorFungibility?.PreemptBeforeNextFlavor ?? false,
            },
            MinRuntime = minRuntime,
            DisruptionBudget = spec.DisruptionBudget,
            DisruptionWindow = window,
            IdleGpus = idle,
            AdmissionChecks = checks.Distinct(StringComparer.Ordinal).ToArray(),
        };
        var chain = cohort is null ? [] : ChainOfValid(cohort, validCohorts);
        failure = ModelCheck(
            new QueueConfiguration
            {
                Flavors = flavors.Valid,
                Cohorts = chain,
                Queues = [model],
                AdmissionChecks = model.AdmissionChecks.Select(c => new AdmissionCheck(c)).ToArray(),
            },
            $"queue {name}: ");
        return model;
    }

    /// <summary>A queue's or cohort's <c>spec.flavors</c>: names present and unique, quantities parsed, 0 or more, lending within nominal.</summary>
    private static IReadOnlyList<FlavorQuota>? ParseQuotas(IList<FlavorQuotaSpec>? specs, out Failure? failure)
    {
        failure = null;
        var result = new List<FlavorQuota>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (specs?.Count ?? 0); i++)
        {
            var path = $"spec.flavors[{i}]";
            if (specs![i] is not { } entry)
            {
                failure = Invalid($"{path} is empty; give the flavor's name and resources, or remove the entry");
                return null;
            }

            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                failure = Invalid($"{path}.name is empty; name a Flavor");
                return null;
            }

            if (!seen.Add(entry.Name))
            {
                failure = Invalid($"{path}.name: flavor '{entry.Name}' is listed twice; list each flavor once with all its resources");
                return null;
            }

            var resources = entry.Resources ?? new FlavorResourcesSpec();
            var gpu = ParseQuota(resources.Gpu, $"{path}.resources.gpu", ResourceKind.Gpu, ref failure);
            var cpu = ParseQuota(resources.Cpu, $"{path}.resources.cpu", ResourceKind.Cpu, ref failure);
            var memory = ParseQuota(resources.Memory, $"{path}.resources.memory", ResourceKind.Memory, ref failure);
            if (failure is not null)
            {
                return null;
            }

            result.Add(new FlavorQuota(entry.Name) { Gpu = gpu, Cpu = cpu, Memory = memory });
        }

        return result;
    }

    private static ResourceQuota? ParseQuota(ResourceQuotaSpec? spec, string path, ResourceKind kind, ref Failure? failure)
    {
        if (spec is null || failure is not null)
        {
            return null;
        }

        if (spec.NominalQuota is null)
        {
            failure = Invalid($"{path}.nominalQuota is missing; give the guaranteed amount, e.g. {Example(kind)}");
            return null;
        }

        var nominal = Amount(spec.NominalQuota, $"{path}.nominalQuota", kind, ref failure);
        var borrowing = spec.BorrowingLimit is null ? null : Amount(spec.BorrowingLimit, $"{path}.borrowingLimit", kind, ref failure);
        var lending = spec.LendingLimit is null ? null : Amount(spec.LendingLimit, $"{path}.lendingLimit", kind, ref failure);
        if (failure is not null)
        {
            return null;
        }

        if (lending > nominal)
        {
            failure = Invalid($"{path}.lendingLimit {spec.LendingLimit} is above nominalQuota {spec.NominalQuota}; a queue can lend at most its nominal quota");
            return null;
        }

        return new ResourceQuota(nominal!.Value, borrowing, lending);
    }

    private static long? Amount(string text, string path, ResourceKind kind, ref Failure? failure)
    {
        if (failure is not null)
        {
            return null;
        }

        if (!Quantities.TryParse(text, kind, out var value))
        {
            failure = Invalid($"{path} is '{text}', which is not a Kubernetes quantity; write an amount such as {Example(kind)}");
            return null;
        }

        if (value < 0)
        {
            failure = Invalid($"{path} is {text}; it must be 0 or more");
            return null;
        }

        return value;
    }

    private static string Example(ResourceKind kind) => kind switch
    {
        ResourceKind.Gpu => "8 (GPUs) or 500m (half a GPU)",
        ResourceKind.Cpu => "64 (cores) or 500m",
        _ => "256Gi or 512Mi",
    };

    private static Failure? CheckFlavors(IReadOnlyList<FlavorQuota> quotas, FlavorContext flavors)
    {
        for (var i = 0; i < quotas.Count; i++)
        {
            var name = quotas[i].Flavor;
            if (!flavors.Verdicts.TryGetValue(name, out var verdict))
            {
                return new Failure(ConditionReasons.UnknownFlavor, $"spec.flavors[{i}].name: flavor '{name}' does not exist; create the Flavor or fix the name");
            }

            if (!verdict.Ready)
            {
                return new Failure(ConditionReasons.FlavorNotReady, $"spec.flavors[{i}].name: flavor '{name}' is not Ready ({verdict.Reason}); fix that flavor first");
            }
        }

        return null;
    }

    private static T Choice<T>(string? text, string path, (string Name, T Value)[] choices, T fallback, ref Failure? failure)
    {
        if (text is null || failure is not null)
        {
            return fallback;
        }

        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        failure = Invalid($"{path} is '{text}'; write one of {string.Join(", ", choices.Select(c => c.Name))}");
        return fallback;
    }

    /// <summary>The model's idle-GPU policy from <c>spec.idleGpus</c>; null when absent. Bad values fail naming the field.</summary>
    private static IdleGpuPolicy? IdlePolicy(IdleGpusSpec? spec, ref Failure? failure)
    {
        if (spec is null || failure is not null)
        {
            return null;
        }

        var defaults = new IdleGpuPolicy();
        var policy = new IdleGpuPolicy
        {
            After = Duration(spec.After, "spec.idleGpus.after", defaults.After, ref failure),
            Below = spec.Below ?? defaults.Below,
            Action = Choice(spec.Action, "spec.idleGpus.action", IdleActions, defaults.Action, ref failure),
            Grace = Duration(spec.Grace, "spec.idleGpus.grace", defaults.Grace, ref failure),
        };
        if (failure is null && !(policy.Below >= 0 && policy.Below <= 1))
        {
            failure = Invalid(string.Create(CultureInfo.InvariantCulture, $"spec.idleGpus.below is {policy.Below}; give the highest GPU activity that counts as idle, from 0 to 1 (0.05 for 5%)"));
        }

        if (failure is null && policy.After <= TimeSpan.Zero)
        {
            failure = Invalid($"spec.idleGpus.after is '{spec.After}'; give how long a workload must hold its GPUs before it can count as idle, more than 0 (e.g. 30m)");
        }

        return failure is null ? policy : null;
    }

    private static TimeSpan Duration(string? text, string path, TimeSpan fallback, ref Failure? failure)
    {
        if (text is null || failure is not null)
        {
            return fallback;
        }

        if (!ModelMapping.TryDuration(text, out var value))
        {
            failure = Invalid($"{path} is '{text}', which is not a duration; {ModelMapping.DurationHint}");
            return fallback;
        }

        return value;
    }

    /// <summary>The model's own rules for one object, with the model's message prefixed by the field it concerns.</summary>
    private static Failure? ModelCheck(QueueConfiguration configuration, string ownerPrefix)
    {
        try
        {
            configuration.Validate();
            return null;
        }
        catch (ArgumentException e)
        {
            return Invalid($"{FieldPath(e.ParamName)}: {ModelMapping.Problem(e, ownerPrefix)}");
        }
    }

    private static string FieldPath(string? parameter) => parameter switch
    {
        "weight" or "minRuntime" or "disruptionBudget" or "disruptionWindow" or "admissionChecks" or "cohort" or "parent" or "flavors"
            => "spec." + parameter,
        "flavor" or "Nominal" or "BorrowingLimit" or "LendingLimit" => "spec.flavors",
        "After" or "Below" or "Grace" => "spec.idleGpus." + char.ToLowerInvariant(parameter[0]) + parameter[1..],
        "name" => "metadata.name",
        _ => "spec",
    };

    /// <summary>Cohorts that are part of a cycle, each with the cycle as text (<c>a -> b -> a</c>).</summary>
    private static Dictionary<string, string> FindCycles(Dictionary<string, CohortEntry> entries)
    {
        var cycles = new Dictionary<string, string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in entries.Keys.Order(StringComparer.Ordinal))
        {
            var path = new List<string>();
            var current = start;
            while (current is not null && entries.TryGetValue(current, out var entry) && !done.Contains(current))
            {
                var at = path.IndexOf(current);
                if (at >= 0)
                {
                    var members = path.Skip(at).ToList();
                    var text = string.Join(" -> ", members.Append(current));
                    foreach (var member in members)
                    {
                        cycles[member] = text;
                    }

                    break;
                }

                path.Add(current);
                current = entry.DeclaredParent;
            }

            done.UnionWith(path);
        }

        return cycles;
    }

    private static IEnumerable<ModelCohort> Chain(string? parent, Dictionary<string, CohortEntry> entries)
    {
        var chain = new List<ModelCohort>();
        for (var name = parent; name is not null; name = entries[name].Model!.Parent)
        {
            chain.Add(entries[name].Model!);
        }

        chain.Reverse();
        return chain;
    }

    private static ModelCohort[] ChainOfValid(string cohort, Dictionary<string, ModelCohort> valid)
    {
        var chain = new List<ModelCohort>();
        for (var name = cohort; name is not null; name = valid[name].Parent)
        {
            chain.Add(valid[name]);
        }

        chain.Reverse();
        return chain.ToArray();
    }

    private static IEnumerable<T> Ordered<T>(IReadOnlyList<T> items, Func<T, V1ObjectMeta?> metadata)
        where T : class =>
        items.Where(i => i is not null)
            .OrderBy(i => metadata(i)?.Name ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(i => metadata(i)?.Uid ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(i => metadata(i)?.CreationTimestamp ?? DateTime.MinValue);

    private static ObjectVerdict Judge(string kind, string name, long? generation, Failure? failure) =>
        failure is null
            ? new ObjectVerdict(kind, name, true, ConditionReasons.Valid, $"{kind} {name} is valid and in use", generation)
            : new ObjectVerdict(kind, name, false, failure.Reason, failure.Message, generation);

    private static ObjectVerdict Duplicate(string kind, string name, long? generation) =>
        new(kind, name, false, ConditionReasons.DuplicateName, $"metadata.name: another {kind} is also named '{name}'; names must be unique, so this one is left out", generation);

    private static Failure Invalid(string message) => new(ConditionReasons.InvalidSpec, message);

    private sealed record Failure(string Reason, string Message);

    private sealed record FlavorContext(Dictionary<string, ObjectVerdict> Verdicts, IReadOnlyList<ModelFlavor> Valid);

    private sealed record CohortEntry(string Name, long? Generation, ModelCohort? Model, Failure? Failure)
    {
        public List<ObjectVerdict> Duplicates { get; } = [];

        /// <summary>The parent even when the spec is invalid, so that cycles are still found.</summary>
        public string? DeclaredParent { get; init; }
    }
}
