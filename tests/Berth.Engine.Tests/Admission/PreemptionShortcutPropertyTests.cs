using Berth.Engine.Admission;
using Berth.Engine.Admission.Actions;
using Berth.Model.Queueing;
using Berth.TestKit;
using Xunit.Abstractions;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// The preemption shortcuts (the bound from per-queue totals, and victim lists merged from lanes kept as workloads
/// start and end) against the plain rebuild of the whole victim list on random histories: the same script run both
/// ways must give the same events, field by field, and the same reason for every workload after every step; and at
/// every step the merged candidates of every queue, with a random set of other queues, must be the whole list's,
/// in its order. Scripts mix cohorts and queues without one, every within-queue, reclaim and fair-share policy,
/// one or two flavors, 1- to 8-GPU pods, gangs, three priorities, workloads with and without checkpoints (whose
/// order rotates with time), non-preemptible ones, evictions, stop policies and steps of time whole and fractional,
/// under the preempt action alone, the reclaim action before it, or the reclaim action alone.
/// </summary>
public sealed class PreemptionShortcutPropertyTests(ITestOutputHelper output)
{
    private static readonly int Iterations = PropertyRuns.Iterations(120);

    // Scripts 1..N in CI; a run by hand may start elsewhere (BERTH_PROPERTY_FIRST_SEED) to look at scripts CI never runs.
    private static readonly int FirstSeed = PropertyRuns.FirstSeed(1);

    [Fact]
    public void Schedule_WithShortcuts_GivesTheEventsAndReasonsOfWholeLists()
    {
        long checkedCycles = 0;
        Parallel.For(FirstSeed, FirstSeed + Iterations, seed =>
        {
            var whole = Driver.Run(seed, shortcuts: false, compareLists: false);
            var fast = Driver.Run(seed, shortcuts: true, compareLists: false);
            var at = Enumerable.Range(0, Math.Min(whole.Log.Count, fast.Log.Count)).FirstOrDefault(i => whole.Log[i] != fast.Log[i], -1);
            Assert.True(at < 0 && whole.Log.Count == fast.Log.Count,
                at < 0 ? $"seed {seed}: logs differ in length ({whole.Log.Count} whole, {fast.Log.Count} shortcuts)" : $"seed {seed}: line {at}: whole '{whole.Log[at]}', shortcuts '{fast.Log[at]}'");
            Interlocked.Add(ref checkedCycles, fast.Cycles);
        });
        CheckedOperations.Add("admission", checkedCycles);
        output.WriteLine($"{checkedCycles:N0} admission cycles with preemption shortcuts compared with whole victim lists; {CheckedOperations.Summary()}");
    }

    [Fact]
    public void Readable_MergedFromLanes_EqualsTheWholeListInItsOrder()
    {
        long compared = 0;
        Parallel.For(FirstSeed, FirstSeed + Iterations, seed => Interlocked.Add(ref compared, Driver.Run(seed, shortcuts: true, compareLists: true).Compared));
        output.WriteLine($"{compared:N0} merged candidate sequences (non-empty) equal to the whole list's");
        Assert.True(compared > Iterations * 20, $"only {compared} non-empty sequences compared");
    }

    /// <summary>
    /// A livelock this driver found at random (seed 1761019205), with shortcuts on or off: at 327 s, q1's w10-4 evicted
    /// q0's w6-3 and w12-1 by fair share (q0's share came from what it borrows in flavor b; in flavor a it fell below its
    /// nominal quota), then q0's w12-1 took its quota back from w10-4 by reclaim, again and again, until the cycle's
    /// guard threw "admission did not settle". Fair share now takes only what the victim's queue borrows in the flavor.
    /// </summary>
    [Fact]
    public void Schedule_FairShareAgainstReclaim_Settles()
    {
        var outcome = Driver.Run(1761019205, shortcuts: false, compareLists: true);
        Assert.Equal(40, outcome.Cycles);
        var evictions = outcome.Log.Where(l => l.Contains(" Evicted ", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(' ').Take(3))).ToArray();
        Assert.Equal(evictions.Distinct().Count(), evictions.Length); // no workload evicted twice at one instant
    }

    [Fact]
    public void Driver_Scripts_TakeBothShortcutsOften()
    {
        // Guards the properties against vacuity: attempts end at the bound, others read merged lanes.
        var runs = Enumerable.Range(1, 60).Select(seed => Driver.Run(seed, shortcuts: true, compareLists: false)).ToArray();
        var bounded = runs.Sum(r => r.Scheduler.Preemption.Bounded);
        var merged = runs.Sum(r => r.Scheduler.Preemption.Merged);
        output.WriteLine($"60 scripts: {bounded} attempts ended by the bound, {merged} candidate lists merged from lanes");
        Assert.True(bounded > 100, $"only {bounded} attempts ended by the bound");
        Assert.True(merged > 100, $"only {merged} merged lists");
        Assert.All(Enumerable.Range(1, 10).Select(seed => Driver.Run(seed, shortcuts: false, compareLists: false)),
            r => Assert.Equal(0, r.Scheduler.Preemption.Bounded + r.Scheduler.Preemption.Merged));
    }

    private sealed record Outcome(IReadOnlyList<string> Log, AdmissionScheduler Scheduler, int Cycles, long Compared);

    private static class Driver
    {
        public static Outcome Run(int seed, bool shortcuts, bool compareLists)
        {
            var rng = new Random(seed);
            var twoFlavors = rng.Next(3) == 0;
            Flavor[] flavors = twoFlavors ? [new Flavor("a") { NodeLabels = new Dictionary<string, string> { ["pool"] = "a" } }, new Flavor("b") { NodeLabels = new Dictionary<string, string> { ["pool"] = "b" } }] : [new Flavor("a")];
            var cohorts = Enumerable.Range(0, rng.Next(1, 3)).Select(c => new Cohort($"c{c}")).ToArray();
            var queueCount = rng.Next(2, 7);
            var queues = Enumerable.Range(0, queueCount).Select(i => new Queue($"q{i}")
            {
                Cohort = rng.Next(5) == 0 ? null : cohorts[rng.Next(cohorts.Length)].Name,
                Flavors = flavors.Where((_, f) => f == 0 || rng.Next(2) == 0)
                    .Select(f => new FlavorQuota(f.Name) { Gpu = new ResourceQuota(rng.Next(2, 17) * 1000L) })
                    .ToArray(),
                Weight = rng.Next(1, 4),
                Preemption = new QueuePreemption { WithinQueue = (WithinQueuePreemption)rng.Next(3), Reclaim = (ReclaimPolicy)rng.Next(3), FairShare = rng.Next(3) > 0 },
            }).ToArray();
            var nodes = Enumerable.Range(0, rng.Next(2, 6))
                .Select(i => Make.Node($"n{i}").Cpu(64_000).Memory(256 * 1024).Gpus(8).Label("pool", twoFlavors && i % 2 == 1 ? "b" : "a").Build())
                .ToArray();
            var config = new QueueConfiguration { Flavors = flavors, Cohorts = cohorts, Queues = queues };
            var time = new ManualTime();
            var options = new AdmissionOptions
            {
                PlacementPolicy = rng.Next(2) == 0 ? "bestfit" : "fgd",
                Preemption = true,
                Backfill = rng.Next(3) == 0,
                Order = rng.Next(3) == 0 ? CandidateOrder.Fifo : CandidateOrder.FairShare,
                Seed = seed,
            };
            options = options with { Actions = ActionsOf(seed, options.Backfill) };
            var scheduler = new AdmissionScheduler(nodes, config, options, time);
            scheduler.Preemption.Shortcuts = shortcuts;
            var log = new List<string>();
            var (now, cycles, compared) = (0.0, 0, 0L);
            for (var step = 0; step < 40; step++)
            {
                for (var k = rng.Next(0, 5); k > 0; k--)
                {
                    var builder = Make.Workload($"w{step}-{k}").In($"q{rng.Next(queueCount)}")
                        .Pods(rng.Next(1, 3), gpus: new[] { 1, 1, 2, 4, 8 }[rng.Next(5)]).Priority(rng.Next(3)).At(now).Runs(rng.Next(50, 400));
                    builder = rng.Next(4) == 0 ? builder.Checkpoint(rng.Next(20, 120)) : builder;
                    scheduler.Submit((rng.Next(8) == 0 ? builder.NotPreemptible() : builder).Build());
                }

                var admitted = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted).ToArray();
                switch (rng.Next(6))
                {
                    case 0 or 1 when admitted.Length > 0:
                        scheduler.Finish(admitted[rng.Next(admitted.Length)].Id);
                        break;
                    case 2 when admitted.Length > 0:
                        scheduler.Evict(admitted[rng.Next(admitted.Length)].Id, "NodeFailed", TimeSpan.FromSeconds(rng.Next(0, 3) * 20));
                        break;
                    case 3:
                        scheduler.SetStopPolicy($"q{rng.Next(queueCount)}", rng.Next(3) == 0 ? StopPolicy.Hold : StopPolicy.None);
                        break;
                }

                scheduler.Schedule();
                cycles++;
                Record(scheduler, log, step);
                compared += compareLists ? CompareLists(scheduler, rng, step) : 0;
                var dt = rng.Next(3) == 0 ? rng.Next(0, 4000) / 100.0 : rng.Next(0, 90);
                now += dt;
                time.Advance(dt);
            }

            return new Outcome(log, scheduler, cycles, compared);
        }

        /// <summary>
        /// By seed, not drawn (so that the scripts stay those of the seeds): the shorthand's allocate, backfill,
        /// consolidate, preempt; the reclaim action before them (KAI's order); or the reclaim action without preempt.
        /// </summary>
        private static string[]? ActionsOf(int seed, bool backfill)
        {
            var reclaimFirst = AdmissionOptions.ActionsFor(backfill, preemption: false).Append(AdmissionActions.Reclaim);
            return (seed % 3) switch
            {
                0 => [.. reclaimFirst, AdmissionActions.Consolidate, AdmissionActions.Preempt],
                1 => [.. reclaimFirst],
                _ => null,
            };
        }

        /// <summary>Every queue of every flavor, with a random set of other queues: merged against the whole list.</summary>
        private static long CompareLists(AdmissionScheduler scheduler, Random rng, int step)
        {
            var compared = 0L;
            var readable = scheduler.Preemption.Readable;
            for (var f = 0; f < scheduler.Flavors.Count; f++)
            {
                for (var q = 0; q < scheduler.Queues.Count; q++)
                {
                    var others = Enumerable.Range(0, scheduler.Queues.Count).Select(vq => vq != q && rng.Next(2) == 0).ToArray();
                    var merged = readable.Of(q, f, others, scheduler.Now, mayMerge: true, out var pool).ToArray();
                    var whole = readable.Of(q, f, others, scheduler.Now, mayMerge: false, out var lowestOwn).ToArray();
                    Assert.Null(pool);
                    Assert.True(whole.SequenceEqual(merged), $"step {step}, flavor {f}, queue {q}: merged [{string.Join(' ', merged.Select(w => w.Id))}], whole [{string.Join(' ', whole.Select(w => w.Id))}]");
                    for (var vq = 0; vq < scheduler.Queues.Count; vq++)
                    {
                        Assert.Same(lowestOwn![vq], scheduler.Store.Victims.Of(f, vq).Lowest());
                    }

                    compared += merged.Length > 0 ? 1 : 0;
                }
            }

            return compared;
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
