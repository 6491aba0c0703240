using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;
using CsCheck;
using Xunit.Abstractions;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// Incremental admission (<see cref="AdmissionOptions.Incremental"/>: reused quota failures, walks by shape,
/// parked quota trees) against full cycles on random histories: the same script run both ways must give the same
/// events, field by field, and the same reason (code, flavor and message) for every workload after every step.
/// Scripts mix one or two flavors, cohorts and queues without one, StrictFIFO and BestEffortFIFO, the three kinds of
/// profile (allocate only, with backfill, with preemption), submits, finishes, failures of pending work, evictions
/// with backoff, stop policies, cycles in the same generation, and small clusters so placement fails often.
/// </summary>
public sealed class IncrementalAdmissionPropertyTests(ITestOutputHelper output)
{
    private static readonly int Iterations = PropertyRuns.Iterations(150);

    [Fact]
    public void Schedule_Incremental_GivesTheEventsAndReasonsOfFullCycles()
    {
        long checkedCycles = 0;
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var full = Driver.Run(seed, incremental: false);
            var incremental = Driver.Run(seed, incremental: true);
            var at = Enumerable.Range(0, Math.Min(full.Log.Count, incremental.Log.Count)).FirstOrDefault(i => full.Log[i] != incremental.Log[i], -1);
            Assert.True(at < 0 && full.Log.Count == incremental.Log.Count,
                at < 0 ? $"seed {seed}: logs differ in length ({full.Log.Count} full, {incremental.Log.Count} incremental)" : $"seed {seed}: line {at}: full '{full.Log[at]}', incremental '{incremental.Log[at]}'");
            Interlocked.Add(ref checkedCycles, incremental.Cycles);
        }, iter: Iterations);
        CheckedOperations.Add("admission", checkedCycles);
        output.WriteLine($"{checkedCycles:N0} incremental admission cycles compared with full ones; {CheckedOperations.Summary()}");
    }

    [Fact]
    public void Driver_Scripts_TakeEveryIncrementalPath()
    {
        // Guards the property against vacuity: the scripts park queues, bring parked queues back mid-cycle (some with
        // their head joining the round), and reuse quota failures, often enough to matter.
        var runs = Enumerable.Range(1, 80).Select(seed => Driver.Run(seed, incremental: true)).ToArray();
        var parked = runs.Sum(r => r.Scheduler.Parking.ParkedWalks);
        var midCycle = runs.Sum(r => r.Scheduler.Parking.UnparkedMidCycle);
        var joined = runs.Sum(r => r.Scheduler.Parking.JoinedRound);
        var reused = runs.Sum(r => r.Scheduler.Failures.Reused);
        output.WriteLine($"80 scripts: {parked} parked walks, {midCycle} brought back mid-cycle ({joined} joining the round), {reused} reused quota failures");
        Assert.True(parked > 100, $"only {parked} parked walks");
        Assert.True(midCycle > 5, $"only {midCycle} parked queues brought back mid-cycle");
        Assert.True(joined > 0, "no parked queue's head joined the round it was brought back in");
        Assert.True(reused > 100, $"only {reused} reused quota failures");
    }

    [Fact]
    public void Driver_FullCycles_NeverTakeAnIncrementalPath()
    {
        // The reference really is the long way round.
        var runs = Enumerable.Range(1, 20).Select(seed => Driver.Run(seed, incremental: false)).ToArray();
        Assert.All(runs, r => Assert.Equal(0, r.Scheduler.Parking.ParkedWalks + r.Scheduler.Failures.Reused));
    }

    private sealed record Outcome(IReadOnlyList<string> Log, AdmissionScheduler Scheduler, int Cycles);

    private static class Driver
    {
        public static Outcome Run(int seed, bool incremental)
        {
            var rng = new Random(seed);
            var twoFlavors = rng.Next(3) == 0;
            Flavor[] flavors = twoFlavors ? [new Flavor("a") { NodeLabels = new Dictionary<string, string> { ["pool"] = "a" } }, new Flavor("b") { NodeLabels = new Dictionary<string, string> { ["pool"] = "b" } }] : [new Flavor("a")];
            var cohorts = Enumerable.Range(0, rng.Next(1, 4)).Select(c => new Cohort($"c{c}")).ToList();
            if (rng.Next(3) == 0)
            {
                cohorts.Add(new Cohort("inner") { Parent = cohorts[0].Name });
            }

            var profile = rng.Next(3); // 0: allocate only (parking), 1: with backfill, 2: with preemption
            var queueCount = rng.Next(2, 9);
            var queues = new List<Queue>();
            for (var i = 0; i < queueCount; i++)
            {
                queues.Add(new Queue($"q{i}")
                {
                    Cohort = rng.Next(3) == 0 ? null : cohorts[rng.Next(cohorts.Count)].Name,

                    // Some queues held back by quota (their trees park), others by nodes (they fail placement).
                    Flavors = flavors.Where((_, f) => f == 0 || rng.Next(2) == 0)
                        .Select(f => new FlavorQuota(f.Name) { Gpu = new ResourceQuota((rng.Next(2) == 0 ? rng.Next(0, 3) : rng.Next(8, 41)) * 1000L, rng.Next(3) == 0 ? rng.Next(0, 9) * 1000L : null) })
                        .ToArray(),
                    Weight = rng.Next(1, 4),
                    Strategy = rng.Next(4) == 0 ? QueueingStrategy.StrictFifo : QueueingStrategy.BestEffortFifo,
                    Preemption = profile == 2 && rng.Next(2) == 0
                        ? new QueuePreemption { WithinQueue = (WithinQueuePreemption)rng.Next(3), Reclaim = (ReclaimPolicy)rng.Next(3), FairShare = rng.Next(2) == 0 }
                        : new QueuePreemption(),
                });
            }

            var nodes = Enumerable.Range(0, rng.Next(1, 5))
                .Select(i => Make.Node($"n{i}").Cpu(rng.Next(2) == 0 ? 16_000 : 64_000).Memory(256 * 1024).Gpus(rng.Next(2) == 0 ? 4 : 8).Label("pool", twoFlavors && i % 2 == 1 ? "b" : "a").Build())
                .ToArray();
            var config = new QueueConfiguration { Flavors = flavors, Cohorts = cohorts, Queues = queues };
            var time = new ManualTime();
            var options = new AdmissionOptions
            {
                PlacementPolicy = rng.Next(2) == 0 ? "bestfit" : "fgd",
                Preemption = profile == 2,
                Backfill = profile == 1,
                StarvationThreshold = TimeSpan.FromSeconds(60),
                Order = rng.Next(3) == 0 ? CandidateOrder.Fifo : CandidateOrder.FairShare,
                Seed = seed,
                Incremental = incremental,
            };
            var scheduler = new AdmissionScheduler(nodes, config, options, time);
            var log = new List<string>();
            var now = 0.0;
            var cycles = 0;
            for (var step = 0; step < 50; step++)
            {
                for (var k = rng.Next(0, 7); k > 0; k--)
                {
                    var gpus = new[] { 1, 1, 2, 4, 8 }[rng.Next(5)];
                    var builder = Make.Workload($"w{step}-{k}").In($"q{rng.Next(queueCount)}")
                        .Pods(rng.Next(1, 4), gpus: gpus, min: rng.Next(6) == 0 ? 1 : null, cpuMilli: rng.Next(2) == 0 ? 1000 : 6000)
                        .Priority(rng.Next(3)).At(now).Runs(rng.Next(50, 500));
                    scheduler.Submit(builder.Build());
                }

                var admitted = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted).ToArray();
                var pending = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Pending).ToArray();
                switch (rng.Next(8))
                {
                    case 0 or 1 or 2 when admitted.Length > 0:
                        scheduler.Finish(admitted[rng.Next(admitted.Length)].Id);
                        break;
                    case 3 when pending.Length > 0:
                        scheduler.Fail(pending[rng.Next(pending.Length)].Id, "Cancelled");
                        break;
                    case 4 when admitted.Length > 0:
                        scheduler.Evict(admitted[rng.Next(admitted.Length)].Id, "NodeFailed", TimeSpan.FromSeconds(rng.Next(0, 3) * 40));
                        break;
                    case 5:
                        scheduler.SetStopPolicy($"q{rng.Next(queueCount)}", rng.Next(3) == 0 ? StopPolicy.Hold : StopPolicy.None);
                        break;
                }

                scheduler.Schedule();
                cycles++;
                Record(scheduler, log, step);
                if (rng.Next(3) == 0)
                {
                    // A cycle in the same generation: new work arrives, nothing frees.
                    scheduler.Submit(Make.Workload($"late{step}").In($"q{rng.Next(queueCount)}").Pods(1, gpus: new[] { 1, 2, 8 }[rng.Next(3)]).Priority(rng.Next(3)).At(now).Runs(100).Build());
                    scheduler.Schedule();
                    cycles++;
                    Record(scheduler, log, step);
                }

                var dt = rng.Next(0, 90);
                now += dt;
                time.Advance(dt);
            }

            return new Outcome(log, scheduler, cycles);
        }

        private static void Record(AdmissionScheduler scheduler, List<string> log, int step)
        {
            foreach (var e in scheduler.DrainEvents())
            {
                log.Add($"{e} gpu={e.GpuMilli} detail={e.Detail}");
            }

            foreach (var w in scheduler.Workloads)
            {
                var reason = scheduler.ReasonOf(w);
                log.Add($"step {step}: {w.Id} {w.Phase} {reason.Code} {reason.Flavor} {reason.Message}");
            }
        }
    }
}
