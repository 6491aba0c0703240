using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;
using CsCheck;
using Xunit.Abstractions;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// Invariants of admission over random cohorts, quotas, policies and workload scripts (submits, time,
/// finishes). Each case is built from one seed, so a failure prints a seed that replays it.
/// </summary>
public sealed class AdmissionPropertyTests(ITestOutputHelper output)
{
    // Scripts per property in CI (40 steps each, every step's cycle checked); BERTH_PROPERTY_ITERATIONS raises it.
    private static readonly int Iterations = PropertyRuns.Iterations(120);

    [Fact]
    public void Schedule_RandomCohorts_KeepsQuotaLendingGangAndPreemptionInvariants()
    {
        long checkedCycles = 0;
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var run = Driver.Run(seed);
            Assert.True(run.Violation is null, $"seed {seed}: {run.Violation}");
            Interlocked.Add(ref checkedCycles, run.CheckedCycles);
        }, iter: Iterations);
        Report(checkedCycles);
    }

    [Fact]
    public void Schedule_NoOtherChange_IsAFixpoint_SoFairSharePreemptionCannotLoop()
    {
        // After a cycle, another cycle with nothing changed admits and evicts nothing; and no workload evicted
        // by fair-share preemption is admitted again, at the same size, with no other change in between (no
        // other workload evicted or finished). An elastic victim may come back smaller: that is a shrink that
        // gave the preemptor its room, not a move.
        long checkedCycles = 0;
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var run = Driver.Run(seed, fairShareEverywhere: true);
            Assert.True(run.Violation is null, $"seed {seed}: {run.Violation}");
            Assert.True(run.LoopViolation is null, $"seed {seed}: {run.LoopViolation}");
            Interlocked.Add(ref checkedCycles, run.CheckedCycles);
        }, iter: Iterations);
        Report(checkedCycles);
    }

    [Fact]
    public void Schedule_WithUsageHistory_KeepsInvariantsAndIsAFixpoint()
    {
        // Usage history changes the order of heads with time, never what preemption may do: the same
        // invariants and the same fixpoint hold with a half-life a few steps of the script long.
        long checkedCycles = 0;
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var run = Driver.Run(seed, fairShareEverywhere: true, usageHistory: true);
            Assert.True(run.Violation is null, $"seed {seed}: {run.Violation}");
            Assert.True(run.LoopViolation is null, $"seed {seed}: {run.LoopViolation}");
            Interlocked.Add(ref checkedCycles, run.CheckedCycles);
        }, iter: Iterations);
        Report(checkedCycles);
    }

    [Fact]
    public void Schedule_WithUsageHistory_SameInputsGiveTheSameEventLog()
    {
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var a = Driver.Run(seed, usageHistory: true);
            var b = Driver.Run(seed, usageHistory: true);
            Assert.Equal(a.Log, b.Log);
        }, iter: 30);
    }

    [Theory]
    [InlineData(18383822)]
    [InlineData(255552564)]
    [InlineData(129361191)]
    [InlineData(986771891)]
    [InlineData(1329635836)]
    [InlineData(2073156393)]
    [InlineData(154725175)]
    [InlineData(802504214)]
    public void Schedule_SeedsThatOnceLooped_NoLongerDo(int seed)
    {
        // Each of these found a loop or a pointless preemption in an earlier version of the rules (see ARCHITECTURE.md).
        var run = Driver.Run(seed, fairShareEverywhere: true);
        Assert.True(run.Violation is null, run.Violation);
        Assert.True(run.LoopViolation is null, run.LoopViolation);
    }

    [Fact]
    public void Schedule_SameInputs_GiveTheSameEventLog()
    {
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var a = Driver.Run(seed);
            var b = Driver.Run(seed);
            Assert.Equal(a.Log, b.Log);
        }, iter: 30);
    }

    [Fact]
    public void Driver_FairShareScripts_DoPreempt()
    {
        // Guards the properties above against vacuity: the random scripts really exercise preemption.
        var preemptions = Enumerable.Range(1, 60).Sum(seed => Driver.Run(seed, fairShareEverywhere: true).Preemptions);
        Assert.True(preemptions > 10, $"only {preemptions} preemptions over 60 scripts");
    }

    [Fact]
    public void Driver_UsageHistoryScripts_ChangeSomeDecisions()
    {
        // Guards the usage-history properties against vacuity: the history really changes some admissions.
        var changed = Enumerable.Range(1, 60).Count(seed => !Driver.Run(seed, fairShareEverywhere: true, usageHistory: true).Log.SequenceEqual(Driver.Run(seed, fairShareEverywhere: true).Log));
        Assert.True(changed > 5, $"usage history changed the event log of only {changed} of 60 scripts");
    }

    private void Report(long checkedCycles)
    {
        CheckedOperations.Add("admission", checkedCycles);
        output.WriteLine($"{checkedCycles:N0} admission cycles checked; {CheckedOperations.Summary()}");
    }

    /// <summary>A script's result; <see cref="CheckedCycles"/>: admission cycles followed by the invariant check, one a step.</summary>
    private sealed record Outcome(string? Violation, string? LoopViolation, IReadOnlyList<string> Log, int Preemptions, int CheckedCycles = 0);

    private static class Driver
    {
        public static Outcome Run(int seed, bool fairShareEverywhere = false, bool usageHistory = false)
        {
            var rng = new Random(seed);
            var cohorts = new List<Cohort> { new("root") };
            if (rng.Next(2) == 0)
            {
                cohorts.Add(new Cohort("left") { Parent = "root", Quotas = [new FlavorQuota("default") { Gpu = new ResourceQuota(rng.Next(0, 3) * 1000) }] });
            }

            var queueCount = rng.Next(2, 6);
            var queues = new List<Queue>();
            for (var i = 0; i < queueCount; i++)
            {
                long? borrow = rng.Next(3) == 0 ? rng.Next(0, 9) * 1000 : null;
                var nominal = rng.Next(0, 17) * 1000L;
                long? lend = rng.Next(3) == 0 ? rng.Next(0, (int)(nominal / 1000) + 1) * 1000 : null;
                queues.Add(new Queue($"q{i}")
                {
                    Cohort = cohorts[rng.Next(cohorts.Count)].Name,
                    Flavors = [new FlavorQuota("default") { Gpu = new ResourceQuota(nominal, borrow, lend) }],
                    Weight = rng.Next(1, 4),
                    Strategy = rng.Next(4) == 0 ? QueueingStrategy.StrictFifo : QueueingStrategy.BestEffortFifo,
                    MinRuntime = TimeSpan.FromSeconds(rng.Next(3) == 0 ? 100 : 0),
                    Preemption = fairShareEverywhere
                        ? new QueuePreemption { FairShare = true, Reclaim = ReclaimPolicy.Any, WithinQueue = WithinQueuePreemption.LowerPriority }
                        : new QueuePreemption
                        {
                            WithinQueue = (WithinQueuePreemption)rng.Next(3),
                            Reclaim = (ReclaimPolicy)rng.Next(3),
                            FairShare = rng.Next(2) == 0,
                        },
                });
            }

            var nodes = Enumerable.Range(0, rng.Next(2, 6)).Select(i => Make.Node($"n{i}").Cpu(64_000).Memory(512 * 1024).Gpus(8).Build()).ToArray();
            var config = new QueueConfiguration { Flavors = [new Flavor("default")], Cohorts = cohorts, Queues = queues, UsageHalfLife = usageHistory ? TimeSpan.FromSeconds(300) : null };
            var time = new ManualTime();
            var options = new AdmissionOptions
            {
                PlacementPolicy = rng.Next(2) == 0 ? "bestfit" : "fgd",
                Preemption = true,
                Backfill = rng.Next(2) == 0,
                StarvationThreshold = TimeSpan.FromSeconds(50),
                Order = rng.Next(3) == 0 ? CandidateOrder.Fifo : CandidateOrder.FairShare,
                Seed = seed,
            };
            var scheduler = new AdmissionScheduler(nodes, config, options, time);
            var log = new List<string>();
            string? violation = null;
            string? loop = null;
            var admittedAt = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            var preemptible = new Dictionary<string, bool>(StringComparer.Ordinal);
            var preemptions = 0;
            var checkedCycles = 0;
            var now = 0.0;
            for (var step = 0; step < 40 && violation is null; step++)
            {
                // Submit a few, finish a few, move time.
                for (var k = rng.Next(0, 3); k > 0; k--)
                {
                    var id = $"w{step}-{k}";
                    var gpus = new[] { 1, 2, 4, 8 }[rng.Next(4)];
                    var builder = Make.Workload(id).In($"q{rng.Next(queueCount)}").Pods(rng.Next(1, 4), gpus: gpus, min: rng.Next(4) == 0 ? 1 : null)
                        .Priority(rng.Next(3)).At(now).Runs(rng.Next(50, 500));
                    if (rng.Next(5) == 0)
                    {
                        builder.NotPreemptible();
                    }

                    if (rng.Next(3) == 0)
                    {
                        builder.Checkpoint(rng.Next(20, 200));
                    }

                    var w = builder.Build();
                    preemptible[id] = w.Preemptible;
                    scheduler.Submit(w);
                }

                var admitted = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted).ToArray();
                if (admitted.Length > 0 && rng.Next(3) == 0)
                {
                    scheduler.Finish(admitted[rng.Next(admitted.Length)].Id);
                }

                scheduler.Schedule();
                var events = scheduler.DrainEvents();
                var evictedByFairShare = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var e in events)
                {
                    log.Add(e.ToString());
                    if (e.Kind == AdmissionEventKind.Admitted)
                    {
                        admittedAt[e.Workload] = e.At;
                        if (evictedByFairShare.TryGetValue(e.Workload, out var pods) && pods == e.Pods)
                        {
                            loop ??= $"{e.Workload} was evicted by fair-share preemption and admitted again in the same cycle";
                        }
                    }

                    if (e.Kind is AdmissionEventKind.Evicted or AdmissionEventKind.Finished)
                    {
                        // Capacity freed: an earlier fair-share victim may now come back legitimately.
                        foreach (var key in evictedByFairShare.Keys.Where(k => k != e.Workload).ToArray())
                        {
                            evictedByFairShare.Remove(key);
                        }
                    }

                    if (e.Kind == AdmissionEventKind.Evicted && e.Reason is "Preempted" or "Reclaimed" or "FairSharePreempted")
                    {
                        preemptions++;
                        if (e.Reason == "FairSharePreempted")
                        {
                            evictedByFairShare[e.Workload] = e.Pods;
                        }

                        if (!preemptible[e.Workload])
                        {
                            violation ??= $"non-preemptible {e.Workload} was evicted ({e})";
                        }

                        var victimQueue = queues.Single(q => q.Name == e.Queue);
                        if (e.At - admittedAt[e.Workload] < victimQueue.MinRuntime)
                        {
                            violation ??= $"{e.Workload} was evicted after {(e.At - admittedAt[e.Workload]).TotalSeconds}s, below its queue's minimum runtime";
                        }
                    }
                }

                violation ??= CheckState(scheduler);

                // A second cycle with nothing changed must do nothing.
                scheduler.Schedule();
                var again = scheduler.DrainEvents().Where(e => e.Kind is AdmissionEventKind.Admitted or AdmissionEventKind.Evicted).ToArray();
                if (again.Length > 0)
                {
                    loop ??= $"a cycle with no change decided again: {again[0]}";
                }

                checkedCycles++; // the cycle above, checked by CheckState (the no-change cycle's check is not counted)

                var dt = rng.Next(0, 120);
                now += dt;
                time.Advance(dt);
            }

            return new Outcome(violation, loop, log, preemptions, checkedCycles);
        }

        private static string? CheckState(AdmissionScheduler scheduler)
        {
            var tree = scheduler.Quotas;
            for (var q = 0; q < tree.QueueCount; q++)
            {
                var usage = tree.Usage(q, 0, ResourceKind.Gpu);
                var sum = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted && w.QueueIndex == q).Sum(w => w.Usage.GpuMilli);
                if (usage != sum)
                {
                    return $"queue {tree.QueueNames[q]}: quota usage {usage} differs from its admitted workloads' {sum}";
                }

                if (usage > tree.Ceiling(q, 0, ResourceKind.Gpu))
                {
                    return $"queue {tree.QueueNames[q]}: uses {usage}, above the most it may ever hold {tree.Ceiling(q, 0, ResourceKind.Gpu)}";
                }

                if (tree.BorrowingLimit(q, 0, ResourceKind.Gpu) is { } limit && usage > tree.Nominal(q, 0, ResourceKind.Gpu) + limit)
                {
                    return $"queue {tree.QueueNames[q]}: uses {usage}, above nominal {tree.Nominal(q, 0, ResourceKind.Gpu)} plus borrowing limit {limit}";
                }
            }

            for (var n = tree.QueueCount; n < tree.NodeCount; n++)
            {
                // Lending limits: what the members take beyond what they keep for themselves never exceeds what is lent.
                if (tree.Usage(n, 0, ResourceKind.Gpu) > tree.SubtreeQuota(n, 0, ResourceKind.Gpu) && tree.ParentOf(n) < 0)
                {
                    return $"cohort {tree.CohortNames[n - tree.QueueCount]}: members take {tree.Usage(n, 0, ResourceKind.Gpu)} beyond what they keep, more than the {tree.SubtreeQuota(n, 0, ResourceKind.Gpu)} lent";
                }
            }

            foreach (var w in scheduler.Workloads)
            {
                var placed = w.PlacedPods;
                if (w.Phase == WorkloadPhase.Admitted)
                {
                    var sets = w.Workload.PodSets;
                    for (var s = 0; s < sets.Count; s++)
                    {
                        var count = w.Pods.Count(p => p.PodSet == s);
                        if (count < sets[s].MinCount || count > sets[s].Count || count != w.Counts[s])
                        {
                            return $"{w.Id}: pod set {sets[s].Name} runs {count} pods, outside [{sets[s].MinCount}, {sets[s].Count}]";
                        }
                    }
                }
                else if (placed != 0)
                {
                    return $"{w.Id} is {w.Phase} but holds {placed} pods: a gang is placed whole or not at all";
                }
            }

            var held = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted).Sum(w => w.GpuMilli);
            return held != scheduler.Cluster.AllocatedGpuMilli ? $"cluster allocates {scheduler.Cluster.AllocatedGpuMilli} milli-GPU but admitted workloads hold {held}" : null;
        }
    }
}
