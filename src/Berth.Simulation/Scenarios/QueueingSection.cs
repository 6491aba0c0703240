using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Input;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// The flavors, cohorts, priority classes, queues and cluster-wide fair-sharing settings of a scenario file,
/// with each object's mapping kept so that later checks (the model's own validation, auto quotas) can point at its line.
/// </summary>
internal sealed class QueueingSection
{
    private static readonly string[] FlavorFields = ["name", "nodeLabels", "tolerations", "topologyLevels", "spot"];
    private static readonly string[] CohortFields = ["name", "parent", "weight", "quotas"];
    private static readonly string[] ClassFields = ["name", "value", "preemptible"];
    private static readonly string[] QueueFields = ["name", "cohort", "weight", "priority", "strategy", "stopPolicy", "minRuntime", "preemption", "fungibility", "disruptionBudget", "disruptionWindow", "admissionChecks", "flavors", "idleGpus"];
    private static readonly string[] IdleGpusFields = ["after", "below", "action", "grace"];
    private static readonly (string, IdleAction)[] IdleActions = [("Notify", IdleAction.Notify), ("PreemptFirst", IdleAction.PreemptFirst), ("Reclaim", IdleAction.Reclaim)];
    private static readonly string[] CheckFields = ["name", "delay", "retryTimes"];
    private static readonly string[] QuotaFields = ["flavor", "gpu", "cpu", "memory", "devices"];
    private static readonly string[] ResourceFields = ["nominal", "borrowingLimit", "lendingLimit"];
    private static readonly string[] PreemptionFields = ["withinQueue", "reclaim", "fairShare"];
    private static readonly string[] FungibilityFields = ["borrowBeforeNextFlavor", "preemptBeforeNextFlavor"];
    private static readonly string[] FairSharingFields = ["usageHalfLife"];

    private static readonly (string, QueueingStrategy)[] Strategies = [("BestEffortFIFO", QueueingStrategy.BestEffortFifo), ("StrictFIFO", QueueingStrategy.StrictFifo)];
    private static readonly (string, StopPolicy)[] StopPolicies = [("None", StopPolicy.None), ("Hold", StopPolicy.Hold), ("HoldAndDrain", StopPolicy.HoldAndDrain)];
    private static readonly (string, WithinQueuePreemption)[] WithinQueue = [("Never", WithinQueuePreemption.Never), ("LowerPriority", WithinQueuePreemption.LowerPriority), ("LowerOrNewerEqualPriority", WithinQueuePreemption.LowerOrNewerEqualPriority)];
    private static readonly (string, ReclaimPolicy)[] Reclaim = [("Never", ReclaimPolicy.Never), ("LowerPriority", ReclaimPolicy.LowerPriority), ("Any", ReclaimPolicy.Any)];

    public List<Flavor> Flavors { get; } = [];

    public List<Cohort> Cohorts { get; } = [];

    public List<PriorityClass> PriorityClasses { get; } = [];

    public List<Queue> Queues { get; } = [];

    public List<AdmissionCheck> AdmissionChecks { get; } = [];

    /// <summary><c>fairSharing.usageHalfLife</c>: null when usage-history fair sharing is off.</summary>
    public TimeSpan? UsageHalfLife { get; private set; }

    public Dictionary<string, ScenarioFields> FlavorFieldsByName { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ScenarioFields> CohortFieldsByName { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ScenarioFields> QueueFieldsByName { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ScenarioFields> PriorityClassFieldsByName { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PriorityClass> PriorityClassByName { get; } = new(StringComparer.Ordinal);

    /// <summary>Queue GPU quotas written <c>nominal: auto</c>: queue index, flavor index in that queue, and the quota's mapping.</summary>
    public List<(int Queue, int Flavor, ScenarioFields Gpu)> AutoNominals { get; } = [];

    public static QueueingSection Read(ScenarioFields root)
    {
        var section = new QueueingSection();
        foreach (var f in root.MappingList("flavors", "flavors (name, nodeLabels, tolerations, topologyLevels, spot)", FlavorFields, required: true))
        {
            var name = Unique(f, section.FlavorFieldsByName, "flavor", "a100");
            section.Flavors.Add(new Flavor(name) { NodeLabels = f.StringMap("nodeLabels"), Tolerations = ScenarioTolerations.Tolerations(f), TopologyLevels = TopologyLevels(f), Spot = f.OptionalBool("spot") ?? false });
        }

        foreach (var c in root.MappingList("cohorts", "cohorts (name, parent, weight, quotas)", CohortFields, required: false))
        {
            var name = Unique(c, section.CohortFieldsByName, "cohort", "org");
            var quotas = c.MappingList("quotas", "flavor quotas (flavor, gpu, cpu, memory)", QuotaFields, required: false);
            section.Cohorts.Add(new Cohort(name)
            {
                Parent = c.OptionalString("parent"),
                Weight = c.OptionalDouble("weight", 0, double.MaxValue, minExclusive: true) ?? 1.0,
                Quotas = quotas.Select(q => ReadQuota(q, allowAuto: false, out _)).ToArray(),
            });
            CheckQuotaFlavorsUnique(quotas);
        }

        section.UsageHalfLife = ReadUsageHalfLife(root);
        foreach (var c in root.MappingList("admissionChecks", "admission checks (name, delay, retryTimes)", CheckFields, required: false))
        {
            section.AdmissionChecks.Add(new AdmissionCheck(c.RequiredString("name", "provisioning"))
            {
                Delay = c.OptionalDuration("delay") ?? TimeSpan.Zero,
                RetryTimes = (int)(c.OptionalLong("retryTimes", 0, 1000) ?? 0),
            });
        }

        foreach (var p in root.MappingList("priorityClasses", "priority classes (name, value, preemptible)", ClassFields, required: false))
        {
            var name = Unique(p, section.PriorityClassFieldsByName, "priority class", "high");
            var cls = new PriorityClass(name, (int)p.RequiredLong("value", int.MinValue, int.MaxValue, "1000")) { Preemptible = p.OptionalBool("preemptible") ?? true };
            section.PriorityClasses.Add(cls);
            section.PriorityClassByName[name] = cls;
        }

        foreach (var q in root.MappingList("queues", "queues (name, cohort, flavors, ...)", QueueFields, required: true))
        {
            var name = Unique(q, section.QueueFieldsByName, "queue", "team-a");
            var quotas = q.MappingList("flavors", "flavor quotas (flavor, gpu, cpu, memory)", QuotaFields, required: true);
            var flavors = new FlavorQuota[quotas.Count];
            for (var i = 0; i < quotas.Count; i++)
            {
                flavors[i] = ReadQuota(quotas[i], allowAuto: true, out var autoGpu);
                if (autoGpu is not null)
                {
                    section.AutoNominals.Add((section.Queues.Count, i, autoGpu));
                }
            }

            CheckQuotaFlavorsUnique(quotas);
            var preemption = q.Mapping("preemption", $"preemption of queue {name}", PreemptionFields);
            var fungibility = q.Mapping("fungibility", $"fungibility of queue {name}", FungibilityFields);
            var idle = q.Mapping("idleGpus", $"idleGpus of queue {name}", IdleGpusFields);
            section.Queues.Add(new Queue(name)
            {
                Cohort = q.OptionalString("cohort"),
                Weight = q.OptionalDouble("weight", 0, double.MaxValue, minExclusive: true) ?? 1.0,
                Priority = (int)(q.OptionalLong("priority", int.MinValue, int.MaxValue) ?? 0),
                DisruptionBudget = q.OptionalLong("disruptionBudget", 0, int.MaxValue) is { } budget ? (int)budget : null,
                DisruptionWindow = q.OptionalDuration("disruptionWindow") ?? TimeSpan.FromHours(1),
                AdmissionChecks = q.StringList("admissionChecks"),
                Strategy = q.OptionalChoice("strategy", Strategies) ?? QueueingStrategy.BestEffortFifo,
                Stop = q.OptionalChoice("stopPolicy", StopPolicies) ?? StopPolicy.None,
                MinRuntime = q.OptionalDuration("minRuntime") ?? TimeSpan.Zero,
                Preemption = preemption is null ? QueuePreemption.None : new QueuePreemption
                {
                    WithinQueue = preemption.OptionalChoice("withinQueue", WithinQueue) ?? WithinQueuePreemption.Never,
                    Reclaim = preemption.OptionalChoice("reclaim", Reclaim) ?? ReclaimPolicy.Never,
                    FairShare = preemption.OptionalBool("fairShare") ?? false,
                },
                Fungibility = fungibility is null ? FlavorFungibility.Default : new FlavorFungibility
                {
                    BorrowBeforeNextFlavor = fungibility.OptionalBool("borrowBeforeNextFlavor") ?? false,
                    PreemptBeforeNextFlavor = fungibility.OptionalBool("preemptBeforeNextFlavor") ?? false,
                },
                Flavors = flavors,
                IdleGpus = idle is null ? null : new IdleGpuPolicy
                {
                    After = idle.OptionalDuration("after") ?? new IdleGpuPolicy().After,
                    Below = idle.OptionalDouble("below", 0, 1, minExclusive: false) ?? new IdleGpuPolicy().Below,
                    Action = idle.OptionalChoice("action", IdleActions) ?? IdleAction.Notify,
                    Grace = idle.OptionalDuration("grace") ?? new IdleGpuPolicy().Grace,
                },
            });
        }

        return section;
    }

    /// <summary>
    /// The configuration, checked by <see cref="QueueConfiguration.Validate"/>; its <see cref="ArgumentException"/>
    /// becomes an <see cref="InputException"/> at the line of the cohort or queue it names.
    /// </summary>
    public QueueConfiguration Build(ScenarioFields root)
    {
        var config = new QueueConfiguration { Flavors = Flavors, Cohorts = Cohorts, Queues = Queues, PriorityClasses = PriorityClasses, AdmissionChecks = AdmissionChecks, UsageHalfLife = UsageHalfLife };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            var problem = ScenarioReader.Problem(e);
            var field = ScenarioReader.FieldName(e.ParamName);
            var owner = problem.StartsWith("cohort ", StringComparison.Ordinal) ? Owner(problem, "cohort ", CohortFieldsByName)
                : problem.StartsWith("queue ", StringComparison.Ordinal) ? Owner(problem, "queue ", QueueFieldsByName)
                : null;
            throw owner is not null ? owner.Error(field, problem) : root.Error(field, problem);
        }

        return config;
    }

    /// <summary>
    /// The root field <c>fairSharing: {usageHalfLife: 2h}</c>: usage-history fair sharing's half-life, more than 0;
    /// null when the field is left out.
    /// </summary>
    /// <summary>
    /// A flavor's <c>topologyLevels</c>, widest first (short names block, rack, nvlink, zone, hostname, or label keys);
    /// a level named twice is refused.
    /// </summary>
    private static IReadOnlyList<string> TopologyLevels(ScenarioFields f)
    {
        var levels = f.StringList("topologyLevels").Select(TopologyKeys.Resolve).ToArray();
        if (levels.Distinct(StringComparer.Ordinal).Count() != levels.Length)
        {
            throw f.Error("topologyLevels", "a topology level is named twice; list each level once, widest first (for example [block, rack, hostname])");
        }

        return levels;
    }

    private static TimeSpan? ReadUsageHalfLife(ScenarioFields root)
    {
        var fairSharing = root.Mapping("fairSharing", "fairSharing", FairSharingFields);
        if (fairSharing is null)
        {
            return null;
        }

        var text = fairSharing.OptionalString("usageHalfLife")
            ?? throw fairSharing.Error("usageHalfLife", "fairSharing has no 'usageHalfLife'; add the half-life of past usage, e.g. 'usageHalfLife: 2h', or remove fairSharing to order by current share only");
        if (text.TrimStart().StartsWith('-'))
        {
            throw fairSharing.Error("usageHalfLife", $"usageHalfLife is {text}; a half-life must be more than 0, so write a duration such as 2h (or remove fairSharing to turn usage history off)");
        }

        var halfLife = fairSharing.OptionalDuration("usageHalfLife")!.Value;
        return halfLife > TimeSpan.Zero
            ? halfLife
            : throw fairSharing.Error("usageHalfLife", $"usageHalfLife is {text}; a half-life must be more than 0, so write a duration such as 2h (or remove fairSharing to turn usage history off)");
    }

    private static ScenarioFields? Owner(string problem, string prefix, Dictionary<string, ScenarioFields> byName)
    {
        var rest = problem[prefix.Length..];
        var end = rest.IndexOfAny([':', ',']);
        return end > 0 && byName.TryGetValue(rest[..end], out var fields) ? fields : null;
    }

    private static string Unique(ScenarioFields entry, Dictionary<string, ScenarioFields> seen, string what, string example)
    {
        var name = entry.RequiredString("name", example);
        if (seen.TryGetValue(name, out var first))
        {
            throw entry.Error("name", $"{what} '{name}' is declared twice (first at line {first.Line}); names must be unique, so rename or remove one");
        }

        seen[name] = entry;
        return name;
    }

    private static void CheckQuotaFlavorsUnique(IReadOnlyList<ScenarioFields> quotas)
    {
        var seen = new Dictionary<string, ScenarioFields>(StringComparer.Ordinal);
        foreach (var q in quotas)
        {
            var flavor = q.RequiredString("flavor", "a100");
            if (seen.TryGetValue(flavor, out var first))
            {
                throw q.Error("flavor", $"flavor '{flavor}' has two quota entries (first at line {first.Line}); give each flavor one entry");
            }

            seen[flavor] = q;
        }
    }

    private static FlavorQuota ReadQuota(ScenarioFields q, bool allowAuto, out ScenarioFields? autoGpu)
    {
        autoGpu = null;
        var flavor = q.RequiredString("flavor", "a100");
        var gpu = ReadResource(q, "gpu", 1000, "GPUs (8, 0.5)", allowAuto, out var gpuAuto);
        autoGpu = gpuAuto;
        return new FlavorQuota(flavor)
        {
            Gpu = gpu,
            Cpu = ReadResource(q, "cpu", 1000, "cores (96, 0.5)", false, out _),
            Memory = ReadResource(q, "memory", 0, "MiB or 512Mi, 16Gi, 1Ti", false, out _),
            Devices = ReadDevices(q),
        };
    }

    /// <summary>
    /// A flavor quota's <c>devices</c>: MIG instances (<c>nvidia.com/mig-1g.10gb: 14</c>), time-sliced replicas
    /// (<c>nvidia.com/gpu.shared: 40</c>) and GPU memory (<c>berth.dev/gpu-memory: 320Gi</c>), each the queue's own cap.
    /// </summary>
    private static Dictionary<string, long> ReadDevices(ScenarioFields q)
    {
        var devices = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, text) in q.StringMap("devices"))
        {
            long amount;
            var parsed = name == Berth.Model.Gpus.GpuResourceNames.GpuMemory
                ? ScenarioUnits.TryParseMemory(text, out amount)
                : long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out amount);
            if (!parsed)
            {
                throw q.Error("devices", $"{name}: '{text}' is not an amount; write a whole number of instances or replicas (14), or memory with Mi, Gi or Ti (320Gi)");
            }

            if (QueueConfiguration.DeviceQuotaProblem(name, amount) is { } problem)
            {
                throw q.Error("devices", problem);
            }

            devices[name] = amount;
        }

        return devices;
    }

    /// <summary>
    /// One resource's quota: a bare amount (the nominal) or {nominal, borrowingLimit, lendingLimit}.
    /// <paramref name="factor"/> converts the written number to the model's unit (0: memory with its units).
    /// </summary>
    private static ResourceQuota? ReadResource(ScenarioFields q, string resource, long factor, string unit, bool allowAuto, out ScenarioFields? auto)
    {
        auto = null;
        var node = q.Node(resource);
        if (node is null)
        {
            return null;
        }

        if (node is YamlDotNet.RepresentationModel.YamlScalarNode)
        {
            if (q.IsAuto(resource))
            {
                throw q.Error(resource, $"'auto' must be written as the nominal quota: '{resource}: {{nominal: auto}}'");
            }

            return new ResourceQuota(Amount(q, resource, resource, factor, unit));
        }

        var r = q.Mapping(resource, $"the {resource} quota of flavor {q.OptionalString("flavor")}", ResourceFields)!;
        long nominal;
        if (r.IsAuto("nominal"))
        {
            if (!allowAuto || resource != "gpu")
            {
                throw r.Error("nominal", $"'nominal: auto' is only allowed for the gpu quota of a queue; write an amount in {unit}");
            }

            auto = r;
            nominal = 0;
        }
        else
        {
            nominal = r.Has("nominal") ? Amount(r, "nominal", resource, factor, unit) : throw r.Error("nominal", $"the {resource} quota has no 'nominal'; add it, e.g. 'nominal: 8'");
        }

        return new ResourceQuota(
            nominal,
            r.Has("borrowingLimit") ? Amount(r, "borrowingLimit", resource, factor, unit) : null,
            r.Has("lendingLimit") ? Amount(r, "lendingLimit", resource, factor, unit) : null);
    }

    private static long Amount(ScenarioFields owner, string field, string resource, long factor, string unit)
    {
        var text = owner.OptionalString(field)!;
        var negative = text.TrimStart().StartsWith('-');
        var ok = factor == 0
            ? ScenarioUnits.TryParseMemory(negative ? text.TrimStart()[1..] : text, out var value)
            : ScenarioUnits.TryParseDecimal(negative ? text.TrimStart()[1..] : text, factor, out value);
        if (!ok || value < 0)
        {
            throw owner.Error(field, $"'{text}' is not a {resource} amount; write {unit}");
        }

        return negative
            ? throw owner.Error(field, $"{field} of the {resource} quota is {text}; a quota must be 0 or more, so write 0 or a positive amount in {unit}")
            : value;
    }
}
