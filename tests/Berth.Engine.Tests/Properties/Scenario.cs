using Berth.Model;
using Berth.TestKit;
using CsCheck;

namespace Berth.Engine.Tests.Properties;

/// <summary>A small random cluster, a pod sequence and a seed, for the placement property tests.</summary>
public sealed record Scenario(Node[] Nodes, Pod[] Pods, int Seed)
{
    private static readonly string[] Models = ["A100", "V100M16", "T4"];

    public override string ToString() =>
        $"seed {Seed}\nnodes:\n  " + string.Join("\n  ", Nodes.Select(n => $"{n.Name} cpu={n.CpuMilli} mem={n.MemoryMiB} gpus={n.GpuCount}x{n.GpuModel} labels=[{string.Join(',', n.Labels.Select(l => $"{l.Key}={l.Value}"))}] taints=[{string.Join(',', n.Taints)}]"))
        + "\npods:\n  " + string.Join("\n  ", Pods.Select(p => $"{p.Name} cpu={p.CpuMilli} mem={p.MemoryMiB} gpu={p.GpuCount}x{p.GpuMilli} models=[{string.Join('|', p.AllowedGpuModels)}] sel=[{string.Join(',', p.NodeSelector.Select(l => $"{l.Key}={l.Value}"))}] tol=[{string.Join(',', p.Tolerations)}]"));

    private static readonly Gen<Taint[]> GenTaints = Gen.OneOf<Taint[]>(
        [],
        [],
        [new Taint("dedicated", "x", TaintEffect.NoSchedule)],
        [new Taint("dedicated", "y", TaintEffect.PreferNoSchedule)],
        [new Taint("maintenance", null, TaintEffect.NoExecute)],
        [new Taint("dedicated", "x", TaintEffect.NoSchedule), new Taint("maintenance", null, TaintEffect.NoExecute)]);

    private static readonly Gen<Toleration[]> GenTolerations = Gen.OneOf<Toleration[]>(
        [],
        [],
        [new Toleration("dedicated", TolerationOperator.Exists, null, null)],
        [new Toleration("dedicated", TolerationOperator.Equal, "x", TaintEffect.NoSchedule)],
        [new Toleration("dedicated", TolerationOperator.Equal, "y", null)],
        [new Toleration(null, TolerationOperator.Exists, null, null)],
        [new Toleration("maintenance", TolerationOperator.Exists, null, TaintEffect.NoExecute)]);

    private static readonly Gen<string?> GenZone = Gen.OneOf<string?>(null, "a", "b");

    /// <summary>A node with a model index (mapped onto the cluster's 2 or 3 models later).</summary>
    private static readonly Gen<(Node Node, int Model)> GenNode = Gen.Select(
        Gen.OneOf(0, 1, 2, 4, 8),
        Gen.Int[0, 2],
        Gen.OneOf(2_000L, 8_000L, 16_000L, 32_000L, 64_000L),
        Gen.OneOf(4_096L, 32_768L, 262_144L),
        GenZone,
        GenTaints,
        (gpus, model, cpu, memory, zone, taints) =>
        {
            var builder = Make.Node("n").Cpu(cpu).Memory(memory);
            if (gpus > 0)
            {
                builder.Gpus(gpus, Models[model]);
            }

            if (zone is not null)
            {
                builder.Label("zone", zone);
            }

            return (builder.Build() with { Taints = taints }, model);
        });

    /// <summary>Pod GPU shape: (count, milli); count 0 is CPU-only.</summary>
    private static readonly Gen<(int Count, int Milli)> GenShape = Gen.Frequency(
        (2, Gen.Const((0, 0))),
        (4, Gen.OneOf(100, 250, 300, 500, 700, 900).Select(m => (1, m))),
        (1, Gen.Int[1, 999].Select(m => (1, m))),
        (3, Gen.Const((1, 1000))),
        (2, Gen.OneOf(2, 4, 8).Select(c => (c, 1000))));

    private static readonly Gen<Pod> GenPod = Gen.Select(
        GenShape,
        Gen.Int[0, 20].Select(c => c * 500L),
        Gen.OneOf(0L, 1_024L, 16_384L),
        Gen.OneOf<string[]>([], [], [], ["A100"], ["T4"], ["V100M16", "T4"], ["H100"]),
        GenZone,
        GenTolerations,
        (shape, cpu, memory, models, zone, tolerations) =>
        {
            var builder = Make.Pod("p").Cpu(cpu).Memory(memory).Models(models);
            if (shape.Count > 0)
            {
                if (shape.Milli < 1000)
                {
                    builder.GpuShare(shape.Milli);
                }
                else
                {
                    builder.Gpus(shape.Count);
                }
            }

            if (zone is not null && cpu % 2000 == 0)
            {
                builder.Selector("zone", zone); // about half of the pods that could carry a selector do
            }

            return builder.Build() with { Tolerations = tolerations };
        });

    public static readonly Gen<Scenario> Any = Gen.Select(
        Gen.Int[2, 3],
        GenNode.Array[1, 20],
        GenPod.Array[1, 40],
        Gen.Int[0, 1_000_000],
        (modelCount, nodes, pods, seed) => new Scenario(
            nodes.Select((n, i) => n.Node with { Name = $"n{i}", GpuModel = n.Node.GpuCount > 0 ? Models[n.Model % modelCount] : null }).ToArray(),
            pods.Select((p, i) => p with { Name = $"p{i}" }).ToArray(),
            seed));
}
