using System.Globalization;
using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.Simulation.Formats;

/// <summary>
/// Reads the GPU-sharing parts of Berth's files: a node's <c>gpuSharing</c> mapping and a pod's <c>resources</c>
/// mapping written with Kubernetes resource names (see docs/FORMATS.md). Every error names the field and the fix.
/// </summary>
internal static class GpuInput
{
    private static readonly string[] SharingFields = ["mode", "replicas", "activeThreadPercent", "pinnedMemory", "migLayout", "repartition"];
    private static readonly string[] Modes = ["exclusive", "timeSliced", "mps", "mig"];

    private static readonly string[] ResourceNames =
    [
        GpuResourceNames.Gpu, GpuResourceNames.GpuShare, GpuResourceNames.GpuMemory, GpuResourceNames.SharedGpu, GpuResourceNames.MigPrefix + "<profile>",
    ];

    /// <summary>
    /// The node's <c>gpuSharing</c> (exclusive when absent). A MIG layout may leave starts out; they are arranged
    /// as NVIDIA allows, and a layout NVIDIA forbids is refused.
    /// </summary>
    public static GpuSharing ReadSharing(YamlFields node, int gpus, string? model, long gpuMemoryMiB)
    {
        var fields = node.OptionalMapping("gpuSharing", $"gpuSharing of {node.Context}", SharingFields);
        if (fields is null)
        {
            return GpuSharing.Exclusive;
        }

        var mode = fields.RequiredString("mode", "mig");
        if (!Modes.Contains(mode, StringComparer.Ordinal))
        {
            throw fields.Error("mode", $"unknown GPU sharing mode '{mode}'; use one of {string.Join(", ", Modes)}");
        }

        foreach (var (field, allowedFor) in new[] { ("replicas", "timeSliced, mps"), ("activeThreadPercent", "mps"), ("pinnedMemory", "mps"), ("migLayout", "mig"), ("repartition", "mig") })
        {
            if (fields.Has(field) && !allowedFor.Split(", ").Contains(mode, StringComparer.Ordinal))
            {
                throw fields.Error(field, $"'{field}' belongs to sharing mode {allowedFor}, not {mode}; remove it or change the mode");
            }
        }

        var sharing = mode switch
        {
            "exclusive" => GpuSharing.Exclusive,
            "timeSliced" => GpuSharing.TimeSliced((int)fields.RequiredLong("replicas", 2, GpuSharing.MaxReplicas, "4")),
            "mps" => GpuSharing.Mps(
                (int)fields.RequiredLong("replicas", 2, GpuSharing.MaxReplicas, "4"),
                (int)(fields.OptionalLong("activeThreadPercent", 1, 100) ?? 0),
                PinnedMemory(fields)),
            _ => GpuSharing.Mig([ReadLayout(fields, model)], fields.OptionalBool("repartition") ?? false),
        };

        if (sharing.Problem(gpus, model, gpuMemoryMiB) is { } problem)
        {
            throw fields.Error(mode == "mig" ? "migLayout" : "mode", problem);
        }

        return sharing;
    }

    /// <summary>The pod's <c>resources</c> mapping; <see cref="GpuRequest.None"/> when absent.</summary>
    public static GpuRequest ReadRequest(YamlFields pod, IReadOnlyList<string> allowedModels)
    {
        if (!pod.Has("resources"))
        {
            return GpuRequest.None;
        }

        var request = GpuRequest.None;
        foreach (var (name, value) in pod.StringMap("resources"))
        {
            request = name switch
            {
                GpuResourceNames.Gpu => request with { Gpus = (int)Count(pod, name, value, Limits.MaxGpusPerNode) },
                GpuResourceNames.GpuShare => request with { Milli = Count(pod, name, value, Limits.GpuMilliPerGpu) },
                GpuResourceNames.SharedGpu => request with { SharedReplicas = (int)Count(pod, name, value, GpuSharing.MaxReplicas) },
                GpuResourceNames.GpuMemory => request with { GpuMemoryMiB = Memory(pod, name, value) },
                _ when GpuResourceNames.MigProfileOf(name) is { } profile => Mig(pod, request, name, profile, value, allowedModels),
                "cpu" or "memory" => throw pod.Error("resources", $"'{name}' is written as the pod's own field '{name}:', not under resources; move it up one level"),
                _ => throw pod.Error("resources", $"unknown resource '{name}' in {pod.Context}; GPU resources are {string.Join(", ", ResourceNames)}"),
            };
        }

        return request;
    }

    private static GpuRequest Mig(YamlFields pod, GpuRequest request, string name, string profile, string value, IReadOnlyList<string> allowedModels)
    {
        if (request.MigProfile is not null)
        {
            throw pod.Error("resources", $"{pod.Context} asks for MIG profiles {request.MigProfile} and {profile}; a pod asks for one profile, so split it into two pods");
        }

        var models = allowedModels.Count > 0 ? allowedModels : MigGeometries.Models;
        var known = models.Any(m => MigGeometries.TryGet(m, out var g) && g.TryGetProfile(profile, out _));
        if (!known)
        {
            var offered = models
                .Select(m => MigGeometries.TryGet(m, out var g) ? $"{m}: {g.ProfileNames}" : null)
                .Where(text => text is not null);
            throw pod.Error("resources", $"unknown MIG profile '{profile}' in '{name}'{(allowedModels.Count > 0 ? $" for GPU models {string.Join(", ", allowedModels)}" : "")}; use a profile of the GPU ({string.Join("; ", offered)})");
        }

        return request with { MigProfile = profile, MigCount = (int)Count(pod, name, value, Limits.MaxGpusPerNode * 7) };
    }

    private static MigLayout ReadLayout(YamlFields fields, string? model)
    {
        MigLayout layout;
        try
        {
            layout = MigLayout.Parse(fields.StringList("migLayout"));
        }
        catch (FormatException e)
        {
            throw fields.Error("migLayout", e.Message);
        }

        if (model is null || !MigGeometries.TryGet(model, out var geometry))
        {
            return layout; // the sharing check below names the missing geometry
        }

        return geometry.TryArrange(layout, out var arranged, out var problem)
            ? arranged
            : throw fields.Error("migLayout", problem!);
    }

    private static long PinnedMemory(YamlFields fields)
    {
        var text = fields.OptionalString("pinnedMemory");
        if (text is null)
        {
            return 0;
        }

        return Scenarios.ScenarioUnits.TryParseMemory(text, out var mib)
            ? mib
            : throw fields.Error("pinnedMemory", $"'{text}' is not an amount of memory; write a number with Mi or Gi (20Gi) or whole MiB");
    }

    private static long Count(YamlFields pod, string name, string value, long max) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 && count <= max
            ? count
            : throw pod.Error("resources", $"'{name}' is '{value}'; write a whole number from 1 to {max}");

    private static long Memory(YamlFields pod, string name, string value) =>
        Scenarios.ScenarioUnits.TryParseMemory(value, out var mib) && mib > 0
            ? mib
            : throw pod.Error("resources", $"'{name}' is '{value}'; write GPU memory with Mi or Gi (20Gi), more than 0");
}
