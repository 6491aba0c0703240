using Berth.Model;
using Berth.Simulation.Formats;

namespace Berth.Simulation.Scenarios;

/// <summary>Taints and tolerations in a scenario file, with the same rules as the cluster and workload files.</summary>
internal static class ScenarioTolerations
{
    private static readonly string[] TaintFields = ["key", "value", "effect"];
    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect"];

    public static IReadOnlyList<Taint> Taints(ScenarioFields owner)
    {
        var entries = owner.MappingList("taints", "key, value and effect", TaintFields, required: false);
        var result = new Taint[entries.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var t = entries[i];
            result[i] = new Taint(
                t.RequiredString("key", "dedicated"),
                t.OptionalString("value"),
                BerthFormat.ParseTaintEffect(t.Raw, "effect", required: true) ?? TaintEffect.NoSchedule);
        }

        return result;
    }

    public static IReadOnlyList<Toleration> Tolerations(ScenarioFields owner)
    {
        var entries = owner.MappingList("tolerations", "key, operator, value and effect", TolerationFields, required: false);
        var result = new Toleration[entries.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = WorkloadReader.ParseToleration(entries[i].Raw);
        }

        return result;
    }
}
