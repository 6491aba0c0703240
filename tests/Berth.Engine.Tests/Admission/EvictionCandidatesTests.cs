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
}
