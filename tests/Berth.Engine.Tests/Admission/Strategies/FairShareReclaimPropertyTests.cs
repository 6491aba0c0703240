using Berth.Engine.Admission;
using Berth.Engine.Admission.Actions;
using Berth.Model.Queueing;
using Berth.TestKit;
using Xunit.Abstractions;

namespace Berth.Engine.Tests.Admission.Strategies;

/// <summary>
/// Preemption settles where fair share and reclaim meet: random scripts in which every queue shares one cohort, has
/// quota in two flavors, preempts by fair share and reclaims, under each action list that evicts (preempt alone,
/// reclaim before preempt, reclaim alone). Every cycle must end (the cycle's guard throws "admission did not settle"
/// on a livelock), and after it no GPU of any flavor is over-allocated. Before fair share was held to what the victim's
/// queue borrows in the flavor, these scripts reached the fair-share/reclaim livelock within their first few hundred seeds.
/// </summary>
public sealed class FairShareReclaimPropertyTests(ITestOutputHelper output)
{
    private static readonly int Iterations = PropertyRuns.Iterations(300);
    private static readonly int FirstSeed = PropertyRuns.FirstSeed(1);

    private static readonly string[][] ActionLists =
    [
        [AdmissionActions.Allocate, AdmissionActions.Consolidate, AdmissionActions.Preempt],
        [AdmissionActions.Allocate, AdmissionActions.Reclaim, AdmissionActions.Consolidate, AdmissionActions.Preempt],
        [AdmissionActions.Allocate, AdmissionActions.Reclaim],
    ];

    [Fact]
    public void Schedule_FairShareAndReclaimInTwoFlavors_AlwaysSettles()
    {
        long evictions = 0;
        Parallel.For(FirstSeed, FirstSeed + Iterations, seed => Interlocked.Add(ref evictions, Run(seed)));
        output.WriteLine($"{Iterations} scripts from seed {FirstSeed}: {evictions:N0} evictions, every cycle settled");
        Assert.True(evictions > Iterations, $"only {evictions} evictions: the scripts hardly preempt");
    }

    /// <summary>Runs script <paramref name="seed"/>; returns how many evictions it made.</summary>
    private static long Run(int seed)
    {
        var rng = new Random(seed);
        Flavor[] flavors = [new("a") { NodeLabels = new Dictionary<string, string> { ["pool"] = "a" } }, new("b") { NodeLabels = new Dictionary<string, string> { ["pool"] = "b" } }];
        var queueCount = rng.Next(2, 5);
        var queues = Enumerable.Range(0, queueCount).Select(i => new Queue($"q{i}")
        {
            Cohort = "c",
            Flavors = (rng.Next(2) == 0 ? new[] { "a", "b" } : ["b", "a"]).Select(f => new FlavorQuota(f) { Gpu = new ResourceQuota(rng.Next(1, 13) * 1000L) }).ToArray(),
            Weight = rng.Next(1, 4),
            Fungibility = new FlavorFungibility { BorrowBeforeNextFlavor = rng.Next(2) == 0 },
            Preemption = new QueuePreemption { WithinQueue = (WithinQueuePreemption)rng.Next(3), Reclaim = rng.Next(2) == 0 ? ReclaimPolicy.Any : ReclaimPolicy.LowerPriority, FairShare = true },
        }).ToArray();
        var nodes = Enumerable.Range(0, rng.Next(2, 5))
            .Select(i => Make.Node($"n{i}").Cpu(64_000).Memory(256 * 1024).Gpus(8).Label("pool", i % 2 == 0 ? "a" : "b").Build())
            .ToArray();
        var config = new QueueConfiguration { Flavors = flavors, Cohorts = [new Cohort("c")], Queues = queues };
        var time = new ManualTime();
        var options = new AdmissionOptions
        {
            PlacementPolicy = rng.Next(2) == 0 ? "bestfit" : "fgd",
            Actions = ActionLists[rng.Next(ActionLists.Length)],
            Order = rng.Next(2) == 0 ? CandidateOrder.Fifo : CandidateOrder.FairShare,
            Seed = seed,
        };
        var scheduler = new AdmissionScheduler(nodes, config, options, time);
        var capacity = flavors.Select(f => nodes.Count(n => n.Labels["pool"] == f.Name) * 8000L).ToArray();
        long evictions = 0;
        for (var step = 0; step < 30; step++)
        {
            for (var k = rng.Next(0, 5); k > 0; k--)
            {
                scheduler.Submit(Make.Workload($"w{step}-{k}").In($"q{rng.Next(queueCount)}").Pods(rng.Next(1, 3), gpus: new[] { 1, 1, 2, 4 }[rng.Next(4)])
                    .Priority(rng.Next(3)).At(scheduler.Now.TotalSeconds).Runs(rng.Next(50, 400)).Build());
            }

            var admitted = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted).ToArray();
            if (admitted.Length > 0 && rng.Next(3) == 0)
            {
                scheduler.Finish(admitted[rng.Next(admitted.Length)].Id);
            }

            try
            {
                scheduler.Schedule();
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"seed {seed}, step {step}: {e.Message}", e);
            }

            evictions += scheduler.DrainEvents().Count(e => e.Kind == AdmissionEventKind.Evicted);
            for (var f = 0; f < flavors.Length; f++)
            {
                var used = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted && w.Flavor == f).Sum(w => w.Usage.GpuMilli);
                Assert.True(used <= capacity[f], $"seed {seed}, step {step}: flavor {flavors[f].Name} holds {used} GPU milli of {capacity[f]}");
            }

            time.Advance(rng.Next(3) == 0 ? 0 : rng.Next(1, 60));
        }

        return evictions;
    }
}
