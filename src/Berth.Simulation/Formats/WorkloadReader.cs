using Berth.Model;
using Berth.Model.Gpus;
using Berth.Simulation.Input;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Formats;

/// <summary>Reads a <c>kind: Workload</c> file; see docs/FORMATS.md for the format.</summary>
internal static class WorkloadReader
{
    private static readonly string[] RootFields = ["kind", "pods"];
    private static readonly string[] PodFields = ["name", "count", "cpu", "memory", "cpuMilli", "memoryMiB", "gpus", "gpuMilli", "resources", "gpuModels", "nodeSelector", "tolerations", "priority", "creationTime", "deletionTime", "singleNumaNode"];
    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect"];

    public static IReadOnlyList<TracePod> Read(string path, YamlMappingNode rootNode, GpuModelCatalog catalog)
    {
        BerthFormat.CheckKindFirst(path, rootNode, BerthFormat.WorkloadKind);
        var root = new YamlFields(path, rootNode, "the workload file", RootFields);
        BerthFormat.CheckKind(root, BerthFormat.WorkloadKind);
        var pods = new List<TracePod>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var list = root.RequiredSequence("pods", "pods");
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is not YamlMappingNode entry)
            {
                throw new InputException(path, YamlSource.Line(list.Children[i]), "pods", $"pods[{i}] is {YamlFields.Describe(list.Children[i])}; each entry must be a pod mapping starting with 'name:'");
            }

            var fields = new YamlFields(path, entry, $"pod pods[{i}]", PodFields);
            var template = ReadPod(fields, catalog);
            var count = fields.OptionalLong("count", 1, 10_000_000);
            var names = count is { } c
                ? Enumerable.Range(0, (int)c).Select(k => BerthFormat.RepeatedPodName(template.Pod.Name, k))
                : [template.Pod.Name];
            foreach (var name in names)
            {
                if (lines.TryGetValue(name, out var first))
                {
                    throw fields.Error("name", $"pod '{name}' is defined twice (first at line {first}); pod names must be unique, so rename one");
                }

                lines[name] = fields.Line;
                pods.Add(count is null ? template : template with { Pod = template.Pod with { Name = name } });
            }
        }

        return pods;
    }

    private static TracePod ReadPod(YamlFields fields, GpuModelCatalog catalog)
    {
        var name = fields.RequiredString("name", "train-job");
        var models = fields.StringList("gpuModels");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (!catalog.Contains(model))
            {
                throw fields.Error("gpuModels", $"unknown GPU model '{model}'; use one of {string.Join(", ", catalog.Names)}, or declare it under gpuModels in the cluster file");
            }

            if (!seen.Add(model))
            {
                throw fields.Error("gpuModels", $"GPU model '{model}' is listed twice; list each model once");
            }
        }

        var request = GpuInput.ReadRequest(fields, models);
        if (fields.Has("gpus") && request.Gpus is not null)
        {
            throw fields.Error("resources", $"{fields.Context} sets both 'gpus' and resources {GpuResourceNames.Gpu}; keep one");
        }

        if (fields.Has("gpuMilli") && request.Milli is not null)
        {
            throw fields.Error("resources", $"{fields.Context} sets both 'gpuMilli' and resources {GpuResourceNames.GpuShare}; keep one");
        }

        // A share named under resources is a share of one GPU, as the berth.dev/gpu-share annotation is.
        var gpus = (int)(fields.OptionalLong("gpus", 0, Limits.MaxGpusPerNode) ?? request.Gpus ?? (request.Milli is null ? 0 : 1));
        var milli = fields.OptionalLong("gpuMilli", 0, long.MaxValue) ?? request.Milli;
        if (milli > Limits.GpuMilliPerGpu)
        {
            throw fields.Error("gpuMilli", $"{milli} is above {Limits.GpuMilliPerGpu}; gpuMilli is the share of each GPU (1000 = one whole GPU), so write 1..1000 and use 'gpus' for more than one GPU");
        }

        if (gpus == 0 && milli is > 0)
        {
            throw fields.Error("gpuMilli", $"{fields.Context} sets gpuMilli {milli} but no gpus; add 'gpus: 1' for a GPU share, or remove gpuMilli");
        }

        if (gpus > 0 && milli == 0)
        {
            throw fields.Error("gpuMilli", $"{fields.Context} asks for {gpus} GPU(s) with gpuMilli 0; write the per-GPU share (1..1000) or leave gpuMilli out for whole GPUs");
        }

        if (gpus > 1 && milli is { } m && m != Limits.GpuMilliPerGpu)
        {
            throw fields.Error("gpuMilli", $"{fields.Context} asks for {gpus} GPUs with gpuMilli {m}; a multi-GPU pod takes whole GPUs, so write gpuMilli 1000 or leave it out");
        }

        var created = fields.OptionalLong("creationTime", 0, long.MaxValue);
        var deleted = fields.OptionalLong("deletionTime", 0, long.MaxValue);
        if (created is { } c && deleted is { } d && d < c)
        {
            throw fields.Error("deletionTime", $"{d} is before creationTime {c}; a pod cannot leave before it arrives");
        }

        var pod = new Pod
        {
            Name = name,
            CpuMilli = fields.RequiredCpu("4"),
            MemoryMiB = fields.RequiredMemory("16Gi"),
            GpuCount = gpus,
            GpuMilli = gpus == 0 ? 0 : (int)(milli ?? Limits.GpuMilliPerGpu),
            AllowedGpuModels = models,
            NodeSelector = fields.StringMap("nodeSelector"),
            Tolerations = ReadTolerations(fields),
            Priority = (int)(fields.OptionalLong("priority", int.MinValue, int.MaxValue) ?? 0),
            GpuMemoryMiB = request.GpuMemoryMiB,
            MigProfile = request.MigProfile,
            MigCount = request.MigCount,
            SharedGpuReplicas = request.SharedReplicas,
            SingleNumaNode = fields.OptionalBool("singleNumaNode") ?? false,
        };
        if (request != GpuRequest.None)
        {
            try
            {
                pod.Validate();
            }
            catch (ArgumentException e)
            {
                throw fields.Error("resources", e.Message);
            }
        }

        return new TracePod(pod, created, deleted);
    }

    private static Toleration[] ReadTolerations(YamlFields fields)
    {
        var list = fields.OptionalSequence("tolerations");
        if (list is null)
        {
            return [];
        }

        var result = new Toleration[list.Children.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (list.Children[i] is not YamlMappingNode entry)
            {
                throw new InputException(fields.File, YamlSource.Line(list.Children[i]), "tolerations", $"tolerations[{i}] of {fields.Context} must be a mapping with key, operator, value and effect");
            }

            result[i] = ParseToleration(new YamlFields(fields.File, entry, $"tolerations[{i}] of {fields.Context}", TolerationFields));
        }

        return result;
    }

    /// <summary>One toleration mapping (key, operator, value, effect), checked as Kubernetes does; shared with scenario files.</summary>
    internal static Toleration ParseToleration(YamlFields t)
    {
        var op = t.OptionalString("operator") switch
        {
            null or "Equal" => TolerationOperator.Equal,
            "Exists" => TolerationOperator.Exists,
            var other => throw t.Error("operator", $"unknown operator '{other}'; write Equal or Exists"),
        };
        var key = t.OptionalString("key");
        var value = t.OptionalString("value");
        if (op == TolerationOperator.Exists && value is not null)
        {
            throw t.Error("value", "an Exists toleration matches any value; remove 'value' or use operator Equal");
        }

        if (op == TolerationOperator.Equal && key is null)
        {
            throw t.Error("key", "an Equal toleration needs a key; add 'key:', or use operator Exists to tolerate every taint");
        }

        return new Toleration(key, op, value, BerthFormat.ParseTaintEffect(t, "effect", required: false));
    }
}
