using Berth.Engine.Framework;
using Berth.Engine.Mig;
using Berth.Engine.Sharing;
using Berth.Model;
using Berth.Model.Gpus;
using Berth.TestKit;
using CsCheck;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Sharing;

/// <summary>
/// Random mixes of MIG (static and re-partitioned), time-sliced, MPS and exclusive nodes under random placements and
/// releases. After every step: every MIG layout is one NVIDIA allows, no two held MIG instances share a memory
/// slice, no GPU's replicas or memory are over-committed, and no exclusive GPU holds two whole-GPU pods. The ledger the
/// checks read is kept here from the placements, not read back from the engine.
/// </summary>
public sealed class SharedPlacementPropertyTests
{
    private static readonly int Iterations = PropertyRuns.Iterations(300);
    private static readonly string[] Models = ["A100", "A100-40G", "H100", "H200"];

    [Fact]
    public void PlaceAndRelease_RandomSharedClusters_KeepEveryGpuInvariant()
    {
        long steps = 0;
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var random = new Random(seed);
            var nodes = Enumerable.Range(0, random.Next(1, 5)).Select(i => RandomNode(random, $"n{i}")).ToArray();
            var cluster = new ClusterState(nodes);
            var placer = PlacerFor(random.Next(2) == 0 ? "fgd" : "bestfit", cluster, seed);
            var live = new List<(Pod Pod, int Node, int Mask)>();
            for (var step = 0; step < 60; step++)
            {
                if (live.Count > 0 && random.Next(4) == 0)
                {
                    var (pod, node, mask) = live[random.Next(live.Count)];
                    live.Remove((pod, node, mask));
                    placer.Unreserve(pod, node, mask);
                }
                else
                {
                    var pod = RandomPod(random, $"p{step}");
                    var result = placer.Place(pod);
                    if (result.Placed)
                    {
                        var mode = nodes[result.NodeIndex].Sharing.Mode;
                        Assert.True(pod.MigCount > 0 ? mode == GpuSharingMode.Mig : pod.SharedGpuReplicas > 0 ? mode is GpuSharingMode.TimeSliced or GpuSharingMode.Mps : mode == GpuSharingMode.Exclusive,
                            $"{pod.Name} went to {nodes[result.NodeIndex].Name} ({nodes[result.NodeIndex].Sharing})");
                        live.Add((pod, result.NodeIndex, result.GpuMask));
                    }
                }

                Check(nodes, cluster, live);
                Interlocked.Increment(ref steps);
            }
        }, iter: Iterations);

        Assert.True(steps >= Iterations * 60L);
    }

    private static void Check(Node[] nodes, ClusterState cluster, List<(Pod Pod, int Node, int Mask)> live)
    {
        for (var n = 0; n < nodes.Length; n++)
        {
            var node = nodes[n];
            for (var g = 0; g < node.GpuCount; g++)
            {
                switch (node.Sharing.Mode)
                {
                    case GpuSharingMode.Mig:
                        MigGeometries.TryGet(node.GpuModel!, out var geometry);
                        var layout = cluster.Shared.MigLayoutOf(n, g);
                        Assert.True(geometry.Problem(layout) is null, $"{node.Name} GPU {g}: {geometry.Problem(layout)} in [{layout}]");
                        var held = 0;
                        foreach (var (pod, _, mask) in live.Where(p => p.Node == n && p.Pod.MigCount > 0))
                        {
                            geometry.TryGetProfile(pod.MigProfile!, out var profile);
                            for (var k = 0; k < pod.MigCount; k++)
                            {
                                if (MigMask.Gpu(mask, k) != g)
                                {
                                    continue;
                                }

                                var slices = profile.SliceMask(MigMask.Start(mask, k));
                                Assert.True((held & slices) == 0, $"{node.Name} GPU {g}: two held MIG instances share a memory slice");
                                Assert.Contains(new MigInstance(profile.Name, MigMask.Start(mask, k)), layout.Instances);
                                held |= slices;
                            }
                        }

                        Assert.Equal(held, cluster.Shared.MigHeldMaskOf(n, g));
                        break;
                    case GpuSharingMode.TimeSliced or GpuSharingMode.Mps:
                        var onGpu = live.Where(p => p.Node == n && p.Pod.SharedGpuReplicas > 0 && p.Mask == 1 << g).ToArray();
                        Assert.InRange(onGpu.Sum(p => p.Pod.SharedGpuReplicas), 0, node.Sharing.Replicas);
                        Assert.InRange(onGpu.Sum(p => p.Pod.GpuMemoryMiB), 0, cluster.Shared.GpuMemoryOf(n));
                        break;
                    default:
                        var whole = live.Count(p => p.Node == n && p.Pod.GpuCount > 0 && p.Pod.GpuMilli == Limits.GpuMilliPerGpu && (p.Mask & (1 << g)) != 0);
                        Assert.InRange(whole, 0, 1);
                        break;
                }
            }
        }
    }

    private static Node RandomNode(Random random, string name)
    {
        var model = Models[random.Next(Models.Length)];
        var builder = Make.Node(name).Gpus(random.Next(1, 5), model);
        return random.Next(5) switch
        {
            0 => builder.Build(),
            1 => builder.Sharing(GpuSharing.TimeSliced(random.Next(2, 8))).Build(),
            2 => builder.Sharing(GpuSharing.Mps(random.Next(2, 8), pinnedMemoryMiB: random.Next(2) * 20_000)).Build(),
            _ => builder.Sharing(GpuSharing.Mig(RandomLayout(random, model), repartition: random.Next(2) == 0)).Build(),
        };
    }

    private static MigLayout RandomLayout(Random random, string model)
    {
        MigGeometries.TryGet(model, out var geometry);
        var packer = new MigPacker(new MigFragmentMeasure(geometry));
        var layout = MigLayout.Empty;
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            var profile = geometry.Profiles[random.Next(geometry.Profiles.Count)].Name;
            if (packer.Choose([layout], profile) is { } placement)
            {
                layout = new MigLayout([.. layout.Instances, new MigInstance(profile, placement.Start)]);
            }
        }

        return layout;
    }

    private static Pod RandomPod(Random random, string name)
    {
        var builder = Make.Pod(name).Cpu(random.Next(0, 4000));
        switch (random.Next(4))
        {
            case 0:
                var model = Models[random.Next(Models.Length)];
                MigGeometries.TryGet(model, out var geometry);
                var profile = geometry.Profiles[random.Next(geometry.Profiles.Count)].Name;
                return builder.Mig(profile, random.Next(1, 3)).Models(model).Build();
            case 1:
                return builder.Replicas(random.Next(1, 4), random.Next(3) * random.NextInt64(1, 40_000)).Build();
            case 2:
                return builder.Gpus(random.Next(1, 3)).Build();
            default:
                return builder.GpuShare(random.Next(1, 1000)).Build();
        }
    }
}
