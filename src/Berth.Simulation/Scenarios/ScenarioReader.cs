using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Formats;
using Berth.Simulation.Input;
using Berth.Simulation.Utilization;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Reads a scenario file (<c>kind: Scenario</c>, YAML or JSON; docs/FORMATS.md describes every field) into a
/// valid <see cref="Scenario"/>: the cluster (with a <c>count: auto</c> group sized for a target load), flavors,
/// cohorts, priority classes, queues (with <c>nominal: auto</c> GPU quotas split by offered load), usage-history
/// fair sharing (<c>fairSharing</c>), workloads written inline and read from sources (ITP and openb traces, a
/// generator), the admission settings, the profiles it defines as data (<c>admissionProfiles</c>) and the expected events. Relative paths in sources resolve against the
/// scenario file's folder.
/// <para>
/// Every problem is an <see cref="InputException"/> naming file, line, field and fix: unknown or misspelt
/// fields, bad values, unknown names (queue, cohort, flavor, priority class, profile, admission action), a cycle in the cohort
/// tree, negative quotas, duplicate names and workload ids, and a workload that no flavor of its queue can
/// ever hold. Workloads are ordered by submit time, then id (ordinal).
/// </para>
/// </summary>
public static class ScenarioReader
{
    public const string Kind = "Scenario";

    private static readonly string[] RootFields = ["kind", "name", "description", "profiles", "admissionProfiles", "settings", "cluster", "flavors", "cohorts", "priorityClasses", "admissionChecks", "fairSharing", "queues", "workloads", "sources", "expect", "utilization", "prices", "spotReclaims"];
    private static readonly string[] PriceFields = ["currency", "gpuHour"];
    private static readonly string[] GpuPriceFields = ["model", "price"];
    private static readonly string[] UtilizationFields = ["idleShare", "idleCeiling", "activeMean", "concentration", "seed"];
    private static readonly string[] SettingsFields = ["placementPolicy", "starvationThreshold", "gangReadyTimeout", "backoffBase", "backoffLimit", "seed", "horizon", "dataLocality", "stageInGbPerSecond"];
    private static readonly string[] ExpectFields = ["at", "workload", "event", "reason", "flavor", "pods"];
    private static readonly string[] EventKinds = ["Submitted", "Admitted", "Evicted", "Finished", "Failed", "Pending", "Idle"];

    /// <summary>Reads the scenario file at <paramref name="path"/>.</summary>
    public static Scenario Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, YamlSource.FolderProblem(path, "a scenario file"));
        }

        if (!System.IO.File.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, "file not found; check the path");
        }

        return Read(path, System.IO.File.ReadAllText(path));
    }

    /// <summary>
    /// Reads scenario text as if it were the file <paramref name="path"/>: the path names the file in
    /// messages and is the base of relative source paths (the file itself need not exist).
    /// </summary>
    public static Scenario Read(string path, string text) => Read(path, text, requireWorkloads: true);

    /// <summary>
    /// Reads the cluster and queueing sections of a scenario file for a server (<c>berth serve --config</c>): the same
    /// format, where workloads are optional (a server's jobs are submitted to it; any in the file are read, checked and
    /// left to the caller). Node groups and quotas must be numbers, not <c>auto</c>, when there are no workloads.
    /// </summary>
    public static Scenario ReadConfiguration(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, YamlSource.FolderProblem(path, "a configuration file"));
        }

        if (!System.IO.File.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, "file not found; check the path");
        }

        return Read(path, System.IO.File.ReadAllText(path), requireWorkloads: false);
    }

    private static Scenario Read(string path, string text, bool requireWorkloads)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var rootNode = YamlSource.LoadRoot(path, text);
        BerthFormat.CheckKindFirst(path, rootNode, Kind);
        var root = new ScenarioFields(path, rootNode, "the scenario file", RootFields);
        BerthFormat.CheckKind(root.Raw, Kind);
        var name = root.RequiredString("name", "itp-merged");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();

        var ownProfiles = ProfileSection.ReadDefinitions(root);
        var profiles = ProfileSection.ReadNames(root, ownProfiles);
        var (options, horizon) = ReadSettings(root);
        var cluster = ClusterSection.Read(root);
        var queueing = QueueingSection.Read(root);

        // 1. Workloads: inline, then every source in order; ids unique, queues declared, each valid.
        var loaded = new List<(Workload Workload, WorkloadOrigin Origin)>();
        WorkloadSection.ReadInline(root, queueing, loaded);
        WorkloadSection.ReadSources(root, baseDir, loaded);
        CheckWorkloads(root, queueing, loaded, requireWorkloads);
        loaded.Sort(static (a, b) =>
        {
            var byTime = a.Workload.SubmitTime.CompareTo(b.Workload.SubmitTime);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Workload.Id, b.Workload.Id);
        });
        var utilization = ReadUtilization(root);
        var workloads = utilization.Apply(loaded.Select(l => l.Workload).ToArray());

        // 2. What is left to 'auto': the node group, then the queues' GPU quotas on the sized cluster.
        var notes = new List<string>();
        AutoSizing.SizeGroups(cluster, workloads, notes);
        var groups = cluster.Groups.Select(g => g.Group).ToArray();
        var nodes = groups.SelectMany(g => g.Expand()).ToArray();
        AutoSizing.SizeNominals(queueing, nodes, workloads, notes);

        // 3. The queueing model's own rules, then what no flavor can ever hold.
        var config = queueing.Build(root);
        var fit = new FitCheck(config, groups);
        foreach (var (workload, origin) in loaded)
        {
            fit.Check(workload, origin);
        }

        return new Scenario(name)
        {
            File = path,
            Description = root.OptionalString("description") ?? string.Empty,
            NodeGroups = groups,
            Nodes = nodes,
            Queues = config,
            Workloads = workloads,
            Options = options,
            Profiles = profiles,
            OwnProfiles = ownProfiles,
            Horizon = horizon,
            SpotReclaims = ReadSpotReclaims(root),
            Expectations = ReadExpectations(root, config, workloads),
            Notes = notes,
            Utilization = utilization,
            Prices = ReadPrices(root),
            StageInGbPerSecond = root.Mapping("settings", "settings", SettingsFields)?.OptionalDouble("stageInGbPerSecond", 0, 1e6, minExclusive: true) ?? Scenario.DefaultStageInGbPerSecond,
        };
    }

    /// <summary>The problem of a model exception, without .NET's " (Parameter 'x')" suffix.</summary>
    internal static string Problem(ArgumentException e)
    {
        var suffix = e.ParamName is null ? null : $" (Parameter '{e.ParamName}')";
        return suffix is not null && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }

    /// <summary>The scenario field for a model property name (CpuMilli: cpu, Nominal: nominal, ...).</summary>
    internal static string FieldName(string? parameter) => parameter switch
    {
        null or "" => string.Empty,
        "Id" => "name",
        "SubmitTime" => "submit",
        "CpuMilli" => "cpu",
        "MemoryMiB" => "memory",
        "GpuCount" => "gpus",
        _ => char.ToLowerInvariant(parameter[0]) + parameter[1..],
    };

    /// <summary>
    /// The <c>prices</c> section: <c>{currency: USD, gpuHour: [{model: A100, price: 2.1}, ...]}</c>, the cost of one
    /// GPU-hour per GPU model for showback (<c>berth report usage</c>); null when absent.
    /// </summary>
    private static Berth.Runtime.Yield.PriceTable? ReadPrices(ScenarioFields root)
    {
        var p = root.Mapping("prices", "prices", PriceFields);
        if (p is null)
        {
            return null;
        }

        var perHour = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in p.MappingList("gpuHour", "{model, price}", GpuPriceFields, required: true))
        {
            var model = entry.RequiredString("model", "A100");
            if (!perHour.TryAdd(model, entry.OptionalDouble("price", 0, 1e9, minExclusive: false) ?? throw entry.Error("price", $"{model} has no price; give the cost of one GPU-hour, such as 2.5")))
            {
                throw entry.Error("model", $"{model} is priced twice; give each GPU model one price");
            }
        }

        var table = new Berth.Runtime.Yield.PriceTable(p.OptionalString("currency") ?? "USD", perHour);
        try
        {
            table.Validate();
        }
        catch (ArgumentException e)
        {
            throw p.Error("currency", e.Message);
        }

        return table;
    }

    /// <summary>The <c>utilization</c> section: the model that gives GPU activity to workloads that do not state it (the default when absent).</summary>
    private static UtilizationModel ReadUtilization(ScenarioFields root)
    {
        var u = root.Mapping("utilization", "utilization", UtilizationFields);
        if (u is null)
        {
            return UtilizationModel.Default;
        }

        var d = UtilizationModel.Default;
        var model = new UtilizationModel
        {
            IdleShare = u.OptionalDouble("idleShare", 0, 1, minExclusive: false) ?? d.IdleShare,
            IdleCeiling = u.OptionalDouble("idleCeiling", 0, 1, minExclusive: false) ?? d.IdleCeiling,
            ActiveMean = u.OptionalDouble("activeMean", 0, 1, minExclusive: true) ?? d.ActiveMean,
            Concentration = u.OptionalDouble("concentration", 0, 1e6, minExclusive: true) ?? d.Concentration,
            Seed = (int)(u.OptionalLong("seed", int.MinValue, int.MaxValue) ?? d.Seed),
        };
        try
        {
            model.Validate();
        }
        catch (ArgumentException e)
        {
            throw u.Error(FieldName(e.ParamName), Problem(e));
        }

        return model;
    }

    /// <summary><c>spotReclaims: {ratePerHour, downtime, seed}</c>: ratePerHour is required and more than 0; downtime defaults to 10m, seed to 1.</summary>
    private static SpotReclaims? ReadSpotReclaims(ScenarioFields root)
    {
        var r = root.Mapping("spotReclaims", "spotReclaims (ratePerHour, downtime, seed)", ["ratePerHour", "downtime", "seed"]);
        if (r is null)
        {
            return null;
        }

        var rate = r.OptionalDouble("ratePerHour", 0, 3600, minExclusive: true)
            ?? throw r.Error("ratePerHour", "spotReclaims needs ratePerHour: how many times per hour each spot node is reclaimed, more than 0 (e.g. 0.1)");
        var downtime = r.OptionalDuration("downtime") ?? TimeSpan.FromMinutes(10);
        if (downtime == TimeSpan.Zero)
        {
            throw r.Error("downtime", "downtime is 0; give how long a reclaimed node stays away (e.g. 10m)");
        }

        return new SpotReclaims(rate, downtime, (int)(r.OptionalLong("seed", 0, int.MaxValue) ?? 1));
    }

    private static (AdmissionOptions Options, TimeSpan? Horizon) ReadSettings(ScenarioFields root)
    {
        var s = root.Mapping("settings", "settings", SettingsFields);
        if (s is null)
        {
            return (AdmissionOptions.Default, null);
        }

        var d = AdmissionOptions.Default;
        var options = new AdmissionOptions
        {
            PlacementPolicy = s.OptionalString("placementPolicy") ?? d.PlacementPolicy,
            StarvationThreshold = s.OptionalDuration("starvationThreshold") ?? d.StarvationThreshold,
            GangReadyTimeout = s.OptionalDuration("gangReadyTimeout") ?? d.GangReadyTimeout,
            BackoffBase = s.OptionalDuration("backoffBase") ?? d.BackoffBase,
            BackoffLimit = (int)(s.OptionalLong("backoffLimit", 0, 1000) ?? d.BackoffLimit),
            Seed = (int)(s.OptionalLong("seed", int.MinValue, int.MaxValue) ?? d.Seed),
            DataLocality = s.OptionalBool("dataLocality") ?? d.DataLocality,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            var field = FieldName(e.ParamName);
            field = field == "starvationThreshold" && s.Has("gangReadyTimeout") && options.GangReadyTimeout <= TimeSpan.Zero ? "gangReadyTimeout" : field;
            throw s.Error(field, Problem(e));
        }

        var horizon = s.OptionalDuration("horizon");
        if (horizon == TimeSpan.Zero)
        {
            throw s.Error("horizon", "horizon is 0; give the time to stop the run (e.g. 30d), or leave it out to run until all work is done");
        }

        return (options, horizon);
    }

    private static void CheckWorkloads(ScenarioFields root, QueueingSection queueing, List<(Workload Workload, WorkloadOrigin Origin)> loaded, bool required)
    {
        if (loaded.Count == 0 && required)
        {
            throw root.Error("workloads", "the scenario has no workloads; add a 'workloads:' list or a 'sources:' entry");
        }

        var ids = new Dictionary<string, WorkloadOrigin>(loaded.Count, StringComparer.Ordinal);
        var queues = queueing.QueueFieldsByName;
        foreach (var (workload, origin) in loaded)
        {
            if (!ids.TryAdd(workload.Id, origin))
            {
                throw origin.Error("name", $"workload id '{workload.Id}' is used twice (first at {ids[workload.Id].Where}); ids must be unique, so rename one (for sources: use another file name or namePrefix)");
            }

            if (!queues.ContainsKey(workload.Queue))
            {
                throw origin.Error("queue", $"workload {workload.Id} is submitted to queue '{workload.Queue}', which is not declared (queues: {string.Join(", ", queueing.Queues.Select(q => q.Name))}); add it under queues or fix the name");
            }

            try
            {
                workload.Validate();
            }
            catch (ArgumentException e)
            {
                throw origin.Error(FieldName(e.ParamName), Problem(e));
            }
        }
    }

    private static List<ExpectedEvent> ReadExpectations(ScenarioFields root, QueueConfiguration config, IReadOnlyList<Workload> workloads)
    {
        var result = new List<ExpectedEvent>();
        var entries = root.MappingList("expect", "expected events (at, workload, event, reason, flavor, pods)", ExpectFields, required: false);
        if (entries.Count == 0)
        {
            return result;
        }

        var ids = workloads.Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var workload = e.RequiredString("workload", "w1");
            if (!ids.Contains(workload))
            {
                throw e.Error("workload", $"expected event names workload '{workload}', which the scenario does not have; use a workload's name");
            }

            var kind = e.RequiredString("event", "Admitted");
            var known = EventKinds.FirstOrDefault(k => string.Equals(k, kind, StringComparison.OrdinalIgnoreCase))
                ?? throw e.Error("event", $"unknown event '{kind}'; write one of {string.Join(", ", EventKinds)}");
            var reason = e.OptionalString("reason");
            if (reason is not null && known is not ("Pending" or "Evicted" or "Failed" or "Idle"))
            {
                throw e.Error("reason", $"a {known} event has no reason; remove 'reason' (only Pending, Evicted, Failed and Idle have one)");
            }

            var flavor = e.OptionalString("flavor");
            var pods = e.OptionalLong("pods", 1, int.MaxValue);
            foreach (var (field, given) in new[] { ("flavor", flavor is not null), ("pods", pods is not null) })
            {
                if (given && known != "Admitted")
                {
                    throw e.Error(field, $"'{field}' is only checked for Admitted events; remove it from this {known} event");
                }
            }

            if (flavor is not null && !config.Flavors.Any(f => string.Equals(f.Name, flavor, StringComparison.Ordinal)))
            {
                throw e.Error("flavor", $"flavor '{flavor}' is not declared (flavors: {string.Join(", ", config.Flavors.Select(f => f.Name))})");
            }

            result.Add(new ExpectedEvent(e.OptionalDuration("at") ?? throw e.Error("at", "the expected event has no 'at'; add the time, e.g. 'at: 0s'"), workload, known)
            {
                Reason = reason,
                Flavor = flavor,
                Pods = (int?)pods,
                Line = e.Line,
            });
        }

        return result;
    }
}
