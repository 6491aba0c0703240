using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;
using Xunit.Abstractions;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// The preemption search's cheap counts against the plain ones they stand for, on random clusters: the whole-GPU
/// bound with a set of workloads taken off, counted from the followed room (only the nodes those workloads leave
/// counted again), equals the count over a copy of every node; the bound from the cluster's total of fully free GPUs
/// says "cannot fit" only where the count says so; and a queue's quota reason, its words written when first read,
/// equals a reason built afresh after the numbers moved, with the bare test saying "fits" exactly when there is no
/// reason.
/// </summary>
public sealed class GangRoomPropertyTests(ITestOutputHelper output)
{
    private static readonly int Iterations = PropertyRuns.Iterations(150);

    [Fact]
    public void RoomFittingWithout_EqualsTheCountOverEveryNode()
    {
        long compared = 0, differentFromNow = 0, boundedByTotal = 0;
        Parallel.For(1, Iterations + 1, seed =>
        {
            var (scheduler, rng) = RandomCluster(seed);
            var admitted = scheduler.Store.Admitted.ToArray();
            for (var trial = 0; trial < 30 && admitted.Length > 0; trial++)
            {
                var removed = admitted.Where(_ => rng.Next(3) == 0).ToArray();
                var gang = Make.Workload($"g{trial}").In("q0").Pods(rng.Next(1, 6), gpus: new[] { 1, 2, 4, 8 }[rng.Next(4)]).Build();
                var state = new WorkloadState(gang, 0, long.MaxValue - trial);
                var pods = scheduler.PodsFor(state, 0);
                var counts = gang.PodSets.Select(p => p.Count).ToArray();
                var nodes = scheduler.NodesOf(0).Where(_ => rng.Next(4) > 0).ToArray();
                var plain = scheduler.Room.WholeGpuPodsThatFitWithout(pods, counts, nodes, removed);
                scheduler.Room.FollowRoom(pods, counts, nodes);
                var followed = scheduler.Room.RoomFittingWithout(removed);
                Assert.True(plain == followed, $"seed {seed}, trial {trial}: {plain} by every node, {followed} from the followed room ({removed.Length} taken off)");
                Assert.Equal(scheduler.Room.WholeGpuPodsThatFit(pods, counts, nodes), scheduler.Room.RoomFitting()); // nothing changed
                Assert.Equal(scheduler.Room.WholeGpuPodsThatFit(pods, counts, nodes) >= counts.Sum(), scheduler.Room.AllCouldFit(pods, counts, nodes));
                Assert.Equal(scheduler.Placer.Cluster.FullyFreeGpus.Sum(), scheduler.Placer.Cluster.TotalFullyFreeGpus);
                if (scheduler.Placer.Cluster.TotalFullyFreeGpus / pods[0].GpuCount < counts[0])
                {
                    Interlocked.Increment(ref boundedByTotal);
                }

                Interlocked.Increment(ref compared);
                if (plain != scheduler.Room.RoomFitting())
                {
                    Interlocked.Increment(ref differentFromNow);
                }
            }
        });
        output.WriteLine($"{compared:N0} counts compared, {differentFromNow:N0} of them changed by the workloads taken off, {boundedByTotal:N0} short by the cluster's total");
        Assert.True(boundedByTotal > compared / 20 && boundedByTotal < compared, $"{boundedByTotal} of {compared} short by the total: the shortcut is not tried both ways");
        Assert.True(differentFromNow > compared / 20, $"only {differentFromNow} of {compared} counts moved: the property would not see a wrong delta");
    }

    [Fact]
    public void QuotaReason_EqualsOneBuiltAfresh_AndTheBareTestAgrees()
    {
        long reasons = 0;
        Parallel.For(1, Iterations + 1, seed =>
        {
            var (scheduler, rng) = RandomCluster(seed);
            for (var trial = 0; trial < 40; trial++)
            {
                var q = rng.Next(scheduler.Queues.Count);
                var request = new Resources(0, 0, rng.Next(1, 12) * 1000L);
                var preemptible = rng.Next(4) > 0;
                var viaScheduler = scheduler.QuotaCheck(q, 0, request, preemptible);
                var fresh = new QuotaFit(scheduler).Check(q, 0, request, preemptible);
                Assert.Equal(fresh, viaScheduler);
                Assert.Equal(fresh is null, scheduler.QuotaFits(q, 0, request, preemptible));
                reasons += fresh is null ? 0 : 1;
                if (rng.Next(3) == 0 && scheduler.Store.Admitted.FirstOrDefault() is { } done)
                {
                    scheduler.Finish(done.Id); // the numbers move
                    scheduler.Schedule();
                }
            }
        });
        output.WriteLine($"{reasons:N0} quota reasons compared");
        Assert.True(reasons > Iterations * 5, $"only {reasons} reasons");
    }

    private static (AdmissionScheduler Scheduler, Random Rng) RandomCluster(int seed)
    {
        var rng = new Random(seed);
        var cohort = new Cohort("c");
        var queues = Enumerable.Range(0, rng.Next(2, 5)).Select(i => new Queue($"q{i}")
        {
            Cohort = cohort.Name,
            Flavors = [new FlavorQuota("a") { Gpu = new ResourceQuota(rng.Next(2, 17) * 1000L) }],
        }).ToArray();
        var nodes = Enumerable.Range(0, rng.Next(3, 9))
            .Select(i => Make.Node($"n{i}").Cpu(64_000).Memory(256 * 1024).Gpus(8).Build())
            .ToArray();
        var config = new QueueConfiguration { Flavors = [new Flavor("a")], Cohorts = [cohort], Queues = queues };
        var scheduler = new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = "bestfit", Seed = seed }, new ManualTime());
        for (var k = rng.Next(5, 30); k > 0; k--)
        {
            scheduler.Submit(Make.Workload($"w{k}").In($"q{rng.Next(queues.Length)}").Pods(rng.Next(1, 3), gpus: new[] { 1, 1, 2, 4, 8 }[rng.Next(5)]).Runs(100).Build());
        }

        scheduler.Schedule();
        return (scheduler, rng);
    }
}
