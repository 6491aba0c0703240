using Berth.Engine.Admission;
using Berth.Model.Queueing;

namespace Berth.Engine.Tests.Admission;

public sealed class EvictionCandidatesTests
{
    /// <summary>
    /// The preemption search reads only some queues' candidates through <see cref="EvictionCandidates.PositionsOf"/>;
    /// it takes victims in list order, so each queue's positions must be exactly where its candidates lie in the
    /// sorted list, ascending, and together name every candidate once (random lists with many equal keys, so the
    /// sort's runs are exercised; rebuilt several times, as between cycles).
    /// </summary>
    [Fact]
    public void PositionsOf_AfterEachSort_ListEachQueuesCandidatesInListOrder()
    {
        const int queues = 5;
        var random = new Random(11);
        var list = new EvictionCandidates(queues);
        for (var build = 0; build < 40; build++)
        {
            list.Reset(build, build, TimeSpan.FromSeconds(build));
            var count = random.Next(0, 60);
            for (var i = 0; i < count; i++)
            {
                var workload = new Workload($"w{build}-{i}") { Queue = "q", Priority = random.Next(3) };
                list.Add(new WorkloadState(workload, random.Next(queues), i), random.Next(4) * 10.0);
            }

            list.Sort(VictimOrder.Instance);

            var seen = new bool[list.Count];
            for (var q = 0; q < queues; q++)
            {
                var expected = Enumerable.Range(0, list.Count).Where(i => list.Items[i].W.QueueIndex == q).ToArray();
                Assert.Equal(expected, list.PositionsOf(q));
                foreach (var i in list.PositionsOf(q))
                {
                    Assert.False(seen[i]);
                    seen[i] = true;
                }
            }

            Assert.All(seen, Assert.True);
            for (var i = 1; i < list.Count; i++)
            {
                Assert.True(VictimOrder.Instance.Compare(list.Items[i - 1], list.Items[i]) < 0, $"build {build}: items {i - 1} and {i} out of order");
            }
        }
    }

    /// <summary>
    /// A victim list starts each build from its previous order (insertion sort, falling back to a full sort when that
    /// order is far off). On random histories (workloads that start, end and come back, work lost growing with time at
    /// one rate per GPU size, with checkpoints that drop it to zero, steps of time small and large, many equal keys)
    /// each build must equal a plain sort of the same candidates by the victim order.
    /// </summary>
    [Fact]
    public void Sort_FromThePreviousOrder_EqualsAFullSortOnRandomHistories()
    {
        long fromPrevious = 0, builds = 0;
        for (var seed = 0; seed < 30; seed++)
        {
            var random = new Random(seed);
            var list = new EvictionCandidates(3);
            var pool = Enumerable.Range(0, 80).Select(i => new WorkloadState(new Workload($"w{i:D3}") { Queue = "q", Priority = random.Next(3) }, random.Next(3), i)).ToArray();
            var started = pool.Select(_ => (double)random.Next(0, 50)).ToArray();
            var gpus = pool.Select(_ => (double)(1 << random.Next(4))).ToArray();
            var checkpoint = pool.Select(_ => random.Next(4) == 0 ? 30.0 : 0).ToArray();
            var running = pool.Select(_ => random.Next(2) == 0).ToArray();
            var time = 50.0;
            for (var build = 0; build < 60; build++)
            {
                time += random.Next(5) == 0 ? random.Next(100, 1000) : random.Next(0, 4);
                for (var i = 0; i < pool.Length; i++)
                {
                    if (random.Next(10) == 0)
                    {
                        running[i] = !running[i];
                        started[i] = running[i] ? time : started[i];
                    }
                }

                list.Reset(build, build, TimeSpan.FromSeconds(time));
                var expected = new List<EvictionCandidate>();
                foreach (var i in Enumerable.Range(0, pool.Length).Where(i => running[i]).OrderBy(_ => random.Next()))
                {
                    var ran = time - started[i];
                    var candidate = new EvictionCandidate(pool[i], (checkpoint[i] > 0 ? ran % checkpoint[i] : ran) * gpus[i]);
                    list.Add(candidate.W, candidate.Lost);
                    expected.Add(candidate);
                }

                list.Sort(VictimOrder.Instance);
                expected.Sort(VictimOrder.Instance);
                Assert.Equal(expected.Select(c => c.W.Id), list.Items.ToArray().Select(c => c.W.Id));
                Assert.Equal(expected.Select(c => c.Lost), list.Items.ToArray().Select(c => c.Lost));
            }

            fromPrevious += list.SortedFromPrevious;
            builds += list.Builds;
        }

        // Both ways were taken: most builds from the previous order, some (after long steps) in full.
        Assert.InRange(fromPrevious, builds / 2, builds - 1);
    }
}
