using System.Globalization;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Generation;
using Berth.Simulation.Input;
using Berth.Simulation.Traces;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Scenarios;

/// <summary>The workloads of a scenario file: inline entries, then each source in order, each with its origin.</summary>
internal static class WorkloadSection
{
    private static readonly string[] WorkloadFields =
    [
        "name", "queue", "submit", "duration", "expectedRunTime", "maxRunTime", "checkpointInterval", "startupTime", "gpuActivity",
        "priority", "priorityClass", "preemptible", "toleratesSpot", "servingGroup", "podSets", "gpus", "gpusPerPod", "cpuPerGpu", "memoryPerGpu",
        "gpuModels", "nodeSelector", "tolerations", "datasets", "localityWait",
    ];

    private static readonly string[] DatasetFields = ["name", "sizeGb"];

    private static readonly string[] ShorthandOnly = ["gpusPerPod", "cpuPerGpu", "memoryPerGpu", "gpuModels", "nodeSelector", "tolerations"];
    private static readonly string[] TopologyFields = ["required", "preferred"];
    private static readonly string[] PodSetFields = ["name", "count", "minCount", "gpus", "gpuMilli", "resources", "cpu", "memory", "cpuMilli", "memoryMiB", "gpuModels", "nodeSelector", "tolerations", "topology", "singleNumaNode"];
    private static readonly string[] SourceKinds = ["itp", "openb", "generate"];
    private static readonly string[] ItpFields = ["dir", "files", "queue", "gpusPerPod", "cpuPerGpu", "memoryPerGpu", "expectedRunTimeFactor", "limit"];
    private static readonly string[] OpenbFields = ["pods", "queue", "expectedRunTimeFactor", "limit"];

    private static readonly string[] GenerateFields =
    [
        "queue", "count", "seed", "namePrefix", "start", "meanInterarrival", "durationMedian", "durationSigma", "maxDuration",
        "gpus", "gpusPerPod", "cpuPerGpu", "memoryPerGpu", "priorities", "expectedRunTimeFactor", "gpuModels",
        "checkpointInterval", "preemptible",
    ];

    private static readonly Dictionary<string, string> ItpColumns = new(StringComparer.Ordinal)
    {
        ["name"] = "job_id", ["submit"] = "submission_time", ["duration"] = "duration", ["expectedRunTime"] = "duration",
        ["gpus"] = "num_gpu", ["cpu"] = "num_gpu", ["memory"] = "num_gpu", ["podSets"] = "num_gpu", ["gpuModels"] = "num_gpu",
    };

    private static readonly Dictionary<string, string> OpenbColumns = new(StringComparer.Ordinal)
    {
        ["name"] = "name", ["submit"] = "creation_time", ["duration"] = "deletion_time", ["expectedRunTime"] = "deletion_time",
        ["gpus"] = "num_gpu", ["cpu"] = "cpu_milli", ["memory"] = "memory_mib", ["podSets"] = "num_gpu", ["gpuModels"] = "gpu_spec",
    };

    public static void ReadInline(ScenarioFields root, QueueingSection queueing, List<(Workload Workload, WorkloadOrigin Origin)> into)
    {
        foreach (var w in root.MappingList("workloads", "workloads (name, queue, submit, duration, podSets or gpus)", WorkloadFields, required: false))
        {
            into.Add(ReadWorkload(w, queueing));
        }
    }

    public static void ReadSources(ScenarioFields root, string baseDir, List<(Workload Workload, WorkloadOrigin Origin)> into)
    {
        foreach (var entry in root.MappingList("sources", "sources (itp, openb or generate)", SourceKinds, required: false))
        {
            var kinds = SourceKinds.Where(entry.Has).ToArray();
            if (kinds.Length != 1)
            {
                throw entry.Error(kinds.Length == 0 ? "sources" : kinds[1], $"{entry.Context} must hold exactly one of itp, openb or generate (found {(kinds.Length == 0 ? "none" : string.Join(", ", kinds))}); write one source per list entry");
            }

            switch (kinds[0])
            {
                case "itp":
                    ReadItp(entry.Mapping("itp", $"the itp source of {entry.Context}", ItpFields)!, baseDir, into);
                    break;
                case "openb":
                    ReadOpenb(entry.Mapping("openb", $"the openb source of {entry.Context}", OpenbFields)!, baseDir, into);
                    break;
                default:
                    ReadGenerated(entry.Mapping("generate", $"the generate source of {entry.Context}", GenerateFields)!, into);
                    break;
            }
        }
    }

    /// <summary>The path of a file named in a scenario: absolute as given, relative to the scenario file's folder.</summary>
    public static string Resolve(string baseDir, string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path));

    private static (Workload, WorkloadOrigin) ReadWorkload(ScenarioFields w, QueueingSection queueing)
    {
        var name = w.RequiredString("name", "train-1");
        var queue = w.RequiredString("queue", "team-a");
        var duration = w.OptionalDuration("duration");
        int priority = 0;
        var preemptible = true;
        if (w.OptionalString("priorityClass") is { } className)
        {
            if (w.Has("priority"))
            {
                throw w.Error("priority", $"workload {name} sets both priority and priorityClass; keep one (the class gives the priority value)");
            }

            if (!queueing.PriorityClassByName.TryGetValue(className, out var cls))
            {
                var known = queueing.PriorityClasses.Count == 0 ? "none are declared; add it under priorityClasses" : "declared: " + string.Join(", ", queueing.PriorityClasses.Select(c => c.Name));
                throw w.Error("priorityClass", $"workload {name}: priority class '{className}' is not declared ({known})");
            }

            (priority, preemptible) = (cls.Value, cls.Preemptible);
        }
        else
        {
            priority = (int)(w.OptionalLong("priority", int.MinValue, int.MaxValue) ?? 0);
        }

        var podSetFields = new List<ScenarioFields>();
        PodSet[] podSets;
        if (w.Has("podSets"))
        {
            foreach (var extra in ShorthandOnly.Prepend("gpus"))
            {
                if (w.Has(extra))
                {
                    throw w.Error(extra, $"workload {name} has podSets and also '{extra}' (part of the one-pod-set shorthand); move it into a pod set or drop podSets");
                }
            }

            var entries = w.MappingList("podSets", "pod sets (name, count, gpus, cpu, memory, ...)", PodSetFields, required: true);
            podSets = new PodSet[entries.Count];
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < entries.Count; i++)
            {
                podSets[i] = ReadPodSet(entries[i], name, entries.Count == 1);
                if (!seen.TryAdd(podSets[i].Name, entries[i].Line))
                {
                    throw entries[i].Error("name", $"workload {name} has two pod sets named '{podSets[i].Name}' (first at line {seen[podSets[i].Name]}); name each pod set once");
                }

                podSetFields.Add(entries[i]);
            }
        }
        else if (w.Has("gpus"))
        {
            podSets = [ReadShorthand(w, name)];
            podSetFields.Add(w);
        }
        else
        {
            throw new InputException(w.File, w.Line, "podSets", $"workload {name} has neither podSets nor gpus; add 'gpus: 8' (one pod set of whole GPUs) or a 'podSets:' list");
        }

        var workload = new Workload(name)
        {
            Queue = queue,
            SubmitTime = w.OptionalDuration("submit") ?? TimeSpan.Zero,
            Duration = duration,
            ExpectedRunTime = w.OptionalDuration("expectedRunTime") ?? duration,
            MaxRunTime = w.OptionalDuration("maxRunTime"),
            CheckpointInterval = w.OptionalDuration("checkpointInterval"),
            StartupTime = w.OptionalDuration("startupTime"),
            GpuActivity = w.OptionalDouble("gpuActivity", 0, 1, minExclusive: false),
            Priority = priority,
            Preemptible = w.OptionalBool("preemptible") ?? preemptible,
            ToleratesSpot = w.OptionalBool("toleratesSpot"),
            ServingGroup = ServingGroupOf(w, name),
            PodSets = podSets,
            Datasets = ReadDatasets(w, name),
            LocalityWait = w.OptionalDuration("localityWait"),
        };
        if (workload.LocalityWait is not null && workload.Datasets.Count == 0)
        {
            throw w.Error("localityWait", $"workload {name} has localityWait but names no datasets; add 'datasets:' or drop localityWait");
        }

        return (workload, WorkloadOrigin.Inline(w, podSetFields));
    }

    /// <summary>The workload's <c>datasets</c>: each a name and its size in GB; a dataset without a size is refused, naming the fix.</summary>
    private static DatasetRef[] ReadDatasets(ScenarioFields w, string workload)
    {
        var entries = w.MappingList("datasets", "datasets (name, sizeGb)", DatasetFields, required: false);
        var datasets = new DatasetRef[entries.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var d = entries[i];
            var name = d.RequiredString("name", "imagenet");
            var size = d.OptionalDouble("sizeGb", 0, 1e9, minExclusive: true)
                ?? throw d.Error("sizeGb", $"dataset {name} of workload {workload} has no size; add its size in GB, e.g. 'sizeGb: 150' (placement weighs it and the simulator fetches it)");
            if (!seen.Add(name))
            {
                throw d.Error("name", $"workload {workload} names dataset {name} twice; list each dataset once");
            }

            datasets[i] = new DatasetRef(name, size);
        }

        return datasets;
    }

    /// <summary>The serving workload a replica belongs to (<c>servingGroup</c>), or null for training and batch work.</summary>
    private static string? ServingGroupOf(ScenarioFields w, string name)
    {
        var group = w.OptionalString("servingGroup");
        if (group is not null && string.IsNullOrWhiteSpace(group))
        {
            throw w.Error("servingGroup", $"workload {name} has a blank servingGroup; name the service its replicas belong to, such as 'chat-api', or leave the field out for training");
        }

        return group;
    }

    private static PodSet ReadShorthand(ScenarioFields w, string name)
    {
        var gpus = w.RequiredLong("gpus", 1, 1_000_000, "8");
        var perPodLimit = w.OptionalLong("gpusPerPod", 1, Limits.MaxGpusPerNode) ?? 8;
        if (gpus > perPodLimit && gpus % perPodLimit != 0)
        {
            throw w.Error("gpus", $"workload {name} asks for {gpus} GPUs, which is not a multiple of gpusPerPod {perPodLimit}; use a multiple, or set gpusPerPod to a divisor of {gpus}, or write podSets");
        }

        var (pods, perPod) = gpus <= perPodLimit ? (1, (int)gpus) : ((int)(gpus / perPodLimit), (int)perPodLimit);
        var template = new Pod
        {
            Name = ItpTrace.PodSetName,
            GpuCount = perPod,
            GpuMilli = Limits.GpuMilliPerGpu,
            CpuMilli = (w.OptionalCpu("cpuPerGpu") ?? 0) * perPod,
            MemoryMiB = (w.OptionalMemory("memoryPerGpu") ?? 0) * perPod,
            AllowedGpuModels = Models(w),
            NodeSelector = w.StringMap("nodeSelector"),
            Tolerations = ScenarioTolerations.Tolerations(w),
        };
        return new PodSet(ItpTrace.PodSetName, pods, template);
    }

    private static PodSet ReadPodSet(ScenarioFields p, string workload, bool only)
    {
        var name = only ? p.OptionalString("name") ?? ItpTrace.PodSetName : p.RequiredString("name", "workers");
        var count = (int)(p.OptionalLong("count", 1, 1_000_000) ?? 1);
        var minCount = (int)(p.OptionalLong("minCount", 1, 1_000_000) ?? count);
        if (minCount > count)
        {
            throw p.Error("minCount", $"pod set {name} of workload {workload} has minCount {minCount} above its count {count}; minCount is the fewest pods it can run with");
        }

        var models = Models(p);
        var request = Formats.GpuInput.ReadRequest(p.Raw, models);
        if (p.Has("gpus") && request.Gpus is not null)
        {
            throw p.Error("resources", $"pod set {name} of workload {workload} sets both 'gpus' and resources {Model.Gpus.GpuResourceNames.Gpu}; keep one");
        }

        if (p.Has("gpuMilli") && request.Milli is not null)
        {
            throw p.Error("resources", $"pod set {name} of workload {workload} sets both 'gpuMilli' and resources {Model.Gpus.GpuResourceNames.GpuShare}; keep one");
        }

        // A share named under resources is a share of one GPU, as the berth.dev/gpu-share annotation is.
        var gpus = (int)(p.OptionalLong("gpus", 0, Limits.MaxGpusPerNode) ?? request.Gpus ?? (request.Milli is null ? 0 : 1));
        var milli = p.OptionalLong("gpuMilli", 1, Limits.GpuMilliPerGpu) ?? request.Milli;
        if (milli is not null && gpus == 0)
        {
            throw p.Error("gpuMilli", $"pod set {name} of workload {workload} sets gpuMilli but no gpus; add 'gpus: 1' for a GPU share, or remove gpuMilli");
        }

        if (gpus > 1 && milli is { } m && m != Limits.GpuMilliPerGpu)
        {
            throw p.Error("gpuMilli", $"pod set {name} of workload {workload} asks for {gpus} GPUs with gpuMilli {m}; a multi-GPU pod takes whole GPUs, so write 1000 or leave gpuMilli out");
        }

        var template = new Pod
        {
            Name = name,
            GpuCount = gpus,
            GpuMilli = gpus == 0 ? 0 : (int)(milli ?? Limits.GpuMilliPerGpu),
            CpuMilli = p.Raw.OptionalCpu() ?? 0,
            MemoryMiB = p.Raw.OptionalMemory() ?? 0,
            AllowedGpuModels = models,
            NodeSelector = p.StringMap("nodeSelector"),
            Tolerations = ScenarioTolerations.Tolerations(p),
            GpuMemoryMiB = request.GpuMemoryMiB,
            MigProfile = request.MigProfile,
            MigCount = request.MigCount,
            SharedGpuReplicas = request.SharedReplicas,
            SingleNumaNode = p.OptionalBool("singleNumaNode") ?? false,
        };
        if (request != Formats.GpuRequest.None)
        {
            try
            {
                template.Validate();
            }
            catch (ArgumentException e)
            {
                throw p.Error("resources", e.Message);
            }
        }

        var (topology, preferred) = ReadTopology(p);
        return new PodSet(name, count, template) { MinCount = minCount, TopologyKey = topology, PreferredTopology = preferred };
    }

    /// <summary>
    /// A pod set's <c>topology</c>: a key (required: all pods inside one domain of it), or a mapping
    /// <c>{required: block, preferred: [nvlink, rack]}</c> whose preferred keys, narrowest first, are tried before the
    /// required one (or before no constraint); a single preferred level climbs the flavor's <c>topologyLevels</c>.
    /// Short names: block, rack, nvlink, zone, hostname.
    /// </summary>
    private static (string? Required, IReadOnlyList<string> Preferred) ReadTopology(ScenarioFields p)
    {
        if (p.Node("topology") is not YamlMappingNode)
        {
            return (p.OptionalString("topology") is { } key ? TopologyKeys.Resolve(key) : null, []);
        }

        var t = p.Mapping("topology", "topology", TopologyFields)!;
        var required = t.OptionalString("required") is { } r ? TopologyKeys.Resolve(r) : null;
        var preferred = (t.Node("preferred") is YamlScalarNode ? [t.OptionalString("preferred")!] : t.StringList("preferred")).Select(TopologyKeys.Resolve).ToArray();
        if (required is null && preferred.Length == 0)
        {
            throw t.Error("preferred", "topology names no level; give 'required: rack', 'preferred: [nvlink, rack]' or both, or remove topology");
        }

        if (preferred.Distinct(StringComparer.Ordinal).Count() != preferred.Length || (required is not null && preferred.Contains(required, StringComparer.Ordinal)))
        {
            throw t.Error("preferred", "a topology level is named twice; name each level once, narrowest first");
        }

        return (required, preferred);
    }

    private static IReadOnlyList<string> Models(ScenarioFields owner)
    {
        var models = owner.StringList("gpuModels");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (!GpuModelCatalog.Default.Contains(model))
            {
                throw owner.Error("gpuModels", $"unknown GPU model '{model}'; use one of {string.Join(", ", GpuModelCatalog.Default.Names)}");
            }

            if (!seen.Add(model))
            {
                throw owner.Error("gpuModels", $"GPU model '{model}' is listed twice; list each model once");
            }
        }

        return models;
    }

    private static void ReadItp(ScenarioFields s, string baseDir, List<(Workload, WorkloadOrigin)> into)
    {
        var dir = Resolve(baseDir, s.OptionalString("dir") ?? ".");
        var files = s.StringList("files");
        string[] paths;
        if (files.Count > 0)
        {
            paths = files.Select(f => Resolve(dir, f)).ToArray();
            foreach (var path in paths)
            {
                if (!File.Exists(path))
                {
                    throw s.Error("files", $"ITP file {path} not found; relative names are resolved against 'dir' ({dir}), itself relative to the scenario file's folder");
                }
            }
        }
        else
        {
            if (!Directory.Exists(dir))
            {
                throw s.Error("dir", $"folder {dir} not found; relative paths are resolved against the scenario file's folder");
            }

            paths = Directory.GetFiles(dir, "*.csv");
            Array.Sort(paths, StringComparer.Ordinal);
            if (paths.Length == 0)
            {
                throw s.Error("dir", $"folder {dir} holds no .csv files; point 'dir' at the ITP traces or list 'files'");
            }
        }

        var options = new ItpSourceOptions
        {
            Queue = s.OptionalString("queue") ?? "{file}",
            GpusPerPod = (int)(s.OptionalLong("gpusPerPod", 1, Limits.MaxGpusPerNode) ?? 8),
            CpuMilliPerGpu = s.OptionalCpu("cpuPerGpu") ?? 0,
            MemoryMiBPerGpu = s.OptionalMemory("memoryPerGpu") ?? 0,
            ExpectedRunTimeFactor = s.OptionalDouble("expectedRunTimeFactor", 0, 1000, minExclusive: true) ?? 1.0,
            Limit = (int)(s.OptionalLong("limit", 0, int.MaxValue) ?? 0),
        };
        foreach (var path in paths)
        {
            var lines = new List<int>();
            var workloads = ItpTrace.Read(path, options, lines);
            for (var i = 0; i < workloads.Count; i++)
            {
                into.Add((workloads[i], WorkloadOrigin.Row(s, path, lines[i], ItpColumns)));
            }
        }
    }

    private static void ReadOpenb(ScenarioFields s, string baseDir, List<(Workload, WorkloadOrigin)> into)
    {
        var path = Resolve(baseDir, s.RequiredString("pods", "openb_pod_list_default.csv"));
        if (!File.Exists(path))
        {
            throw s.Error("pods", $"pod list {path} not found; relative paths are resolved against the scenario file's folder");
        }

        var queue = s.RequiredString("queue", "team-a").Replace("{file}", Path.GetFileNameWithoutExtension(path), StringComparison.Ordinal);
        var factor = s.OptionalDouble("expectedRunTimeFactor", 0, 1000, minExclusive: true) ?? 1.0;
        var limit = (int)(s.OptionalLong("limit", 0, int.MaxValue) ?? 0);
        var pods = OpenbTrace.ReadPods(path);
        var lines = DataLines(path);
        var stem = Path.GetFileNameWithoutExtension(path);
        var count = limit > 0 ? Math.Min(limit, pods.Count) : pods.Count;
        for (var i = 0; i < count; i++)
        {
            var (pod, created, deleted) = pods[i];
            if (created is not { } c)
            {
                throw new InputException(path, lines[i], "creation_time", $"pod {pod.Name} has no creation_time; a scenario needs each pod's arrival, so use the 11-column pod list with creation_time and deletion_time");
            }

            TimeSpan? duration = deleted is { } d ? TimeSpan.FromSeconds(d - c) : null;
            into.Add((new Workload(stem + "/" + pod.Name)
            {
                Queue = queue,
                SubmitTime = TimeSpan.FromSeconds(c),
                Duration = duration,
                ExpectedRunTime = duration is { } run ? TimeSpan.FromSeconds(Math.Round(run.TotalSeconds * factor)) : null,
                PodSets = [new PodSet("pod", 1, pod)],
            }, WorkloadOrigin.Row(s, path, lines[i], OpenbColumns)));
        }
    }

    /// <summary>The 1-based line of each non-empty data row (after the header), as <see cref="CsvTable"/> reads them.</summary>
    private static List<int> DataLines(string path)
    {
        var lines = new List<int>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (number > 1 && line.Length > 0)
            {
                lines.Add(number);
            }
        }

        return lines;
    }

    private static void ReadGenerated(ScenarioFields s, List<(Workload, WorkloadOrigin)> into)
    {
        var defaults = new GeneratedWorkloadOptions { Queue = "x" };
        var options = new GeneratedWorkloadOptions
        {
            Queue = s.RequiredString("queue", "team-a"),
            Count = (int)s.RequiredLong("count", 1, 10_000_000, "200"),
            Seed = (int)(s.OptionalLong("seed", int.MinValue, int.MaxValue) ?? defaults.Seed),
            NamePrefix = s.OptionalString("namePrefix"),
            Start = s.OptionalDuration("start") ?? defaults.Start,
            MeanInterarrival = s.OptionalDuration("meanInterarrival") ?? defaults.MeanInterarrival,
            DurationMedian = s.OptionalDuration("durationMedian") ?? defaults.DurationMedian,
            DurationSigma = s.OptionalDouble("durationSigma", 0, 10, minExclusive: false) ?? defaults.DurationSigma,
            MaxDuration = s.OptionalDuration("maxDuration"),
            Gpus = Mix(s, "gpus") ?? defaults.Gpus,
            GpusPerPod = (int)(s.OptionalLong("gpusPerPod", 1, Limits.MaxGpusPerNode) ?? defaults.GpusPerPod),
            CpuMilliPerGpu = s.OptionalCpu("cpuPerGpu") ?? defaults.CpuMilliPerGpu,
            MemoryMiBPerGpu = s.OptionalMemory("memoryPerGpu") ?? defaults.MemoryMiBPerGpu,
            Priorities = Mix(s, "priorities") ?? defaults.Priorities,
            ExpectedRunTimeFactor = s.OptionalDouble("expectedRunTimeFactor", 0, 1000, minExclusive: true) ?? defaults.ExpectedRunTimeFactor,
            GpuModels = Models(s),
            CheckpointInterval = s.OptionalDuration("checkpointInterval"),
            Preemptible = s.OptionalBool("preemptible") ?? true,
        };
        if (options.DurationMedian == TimeSpan.Zero)
        {
            throw s.Error("durationMedian", "durationMedian is 0; give a positive duration such as 1h");
        }

        IReadOnlyList<Workload> workloads;
        try
        {
            workloads = GeneratedWorkloads.Generate(options);
        }
        catch (ArgumentException e)
        {
            throw s.Error(e.ParamName ?? "generate", ScenarioReader.Problem(e));
        }

        var origin = WorkloadOrigin.Generated(s);
        foreach (var workload in workloads)
        {
            into.Add((workload, origin));
        }
    }

    /// <summary>A weighted mix of whole numbers: one number (always that), or a mapping 'value: weight'.</summary>
    private static Weighted<int>[]? Mix(ScenarioFields s, string name)
    {
        var node = s.Node(name);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode)
        {
            return [new((int)s.RequiredLong(name, 0, 1_000_000, "8"), 1)];
        }

        var result = new List<Weighted<int>>();
        foreach (var (key, value) in s.StringMap(name))
        {
            if (!int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || !(weight >= 0) || !double.IsFinite(weight))
            {
                throw s.Error(name, $"'{key}: {value}' is not 'whole number: weight'; write e.g. '{name}: {{1: 50, 8: 10}}' with weights 0 or more");
            }

            result.Add(new(v, weight));
        }

        return result.ToArray();
    }
}
