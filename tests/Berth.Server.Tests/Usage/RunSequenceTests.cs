using Berth.Server.Jobs;
using Berth.Server.Store;
using Berth.Server.Usage;
using Berth.TestKit;

namespace Berth.Server.Tests.Usage;

/// <summary>
/// Property: under any seeded sequence of starts, requeues, finishes, cancels and store restarts, the store's runs are
/// exactly the intervals the job held its GPUs, one after another and never overlapping, and the usage report's
/// allocated GPU-hours over any period equal the sum of those intervals clipped to it: nothing lost, nothing twice.
/// </summary>
public class RunSequenceTests
{
    [Fact]
    public void RandomStartRequeueFinish_RunsAreTheHeldIntervals_AndUsageSumsEachOnce()
    {
        var runs = PropertyRuns.Iterations(20);
        for (var seed = 1; seed <= runs; seed++)
        {
            Run(seed);
        }
    }

    private static void Run(int seed)
    {
        var random = new Random(seed);
        var dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
        var config = ServerHarness.SmallCluster().Configuration;
        var store = ServerStore.Open(dir, config);
        try
        {
            var now = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
            var expected = new Dictionary<string, List<(DateTimeOffset Start, DateTimeOffset? End)>>(StringComparer.Ordinal);
            for (var i = 0; i < 4; i++)
            {
                var spec = new JobSpec { Queue = "team-a", Duration = "1h", PodSets = [new PodSetSpec { Name = "workers", Count = 1, Gpus = random.Next(1, 5), Cpu = 1, MemoryGiB = 4 }] };
                expected[store.Submit(spec, null, now).Job.Id] = [];
            }

            for (var step = 0; step < 60; step++)
            {
                now = now.AddMinutes(random.Next(4) == 0 ? 0 : random.Next(1, 180)); // some steps at the same instant
                if (random.Next(12) == 0)
                {
                    store.Dispose();
                    store = ServerStore.Open(dir, config);
                    continue;
                }

                var job = store.Find(expected.Keys.ElementAt(random.Next(expected.Count)))!;
                var (next, kind) = Step(job, now, random);
                if (next is null)
                {
                    continue;
                }

                Assert.Single(store.Apply([new JobUpdate(job, next, [new JobEvent(now, kind, kind)])]));
                var held = expected[job.Id];
                if (job.StartedAt is not null)
                {
                    held[^1] = (held[^1].Start, now);
                }

                if (next.State == JobState.Running)
                {
                    held.Add((now, null));
                }
            }

            foreach (var (id, held) in expected)
            {
                var stored = store.Runs(store.Find(id)!);
                Assert.Equal(Enumerable.Range(1, held.Count), stored.Select(r => r.Number));
                Assert.Equal(held, stored.Select(r => (r.Started, r.Ended)));
                Assert.All(stored.Zip(stored.Skip(1)), p => Assert.True(p.First.Ended <= p.Second.Started, $"seed {seed}: runs of {id} overlap"));
            }

            for (var period = 0; period < 10; period++)
            {
                var from = now.AddMinutes(-random.Next(0, 60 * 24 * 7));
                var to = from.AddMinutes(random.Next(1, 60 * 24 * 7));
                var jobs = store.All().ToDictionary(j => j.Seq);
                var report = UsageReport.Of(store.Runs(from, to).Select(r => (jobs[r.JobSeq], r)), from, to, now, _ => null, (_, _) => null, null);
                var sum = expected.Sum(e => store.Find(e.Key)!.GpusRequested * e.Value.Sum(r => Clip(r.Start, r.End ?? now, from, to)));
                Assert.True(Math.Abs(sum - report.Rows.Sum(r => r.AllocatedGpuHours)) < 1e-3, $"seed {seed}: {from:O}..{to:O} summed {report.Rows.Sum(r => r.AllocatedGpuHours)}, intervals {sum}");
            }
        }
        finally
        {
            store.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A random legal change of <paramref name="job"/> at <paramref name="now"/>, with its event's kind; null: none (it is final).</summary>
    private static (JobRecord? Next, string Kind) Step(JobRecord job, DateTimeOffset now, Random random) => job.State switch
    {
        JobState.Pending when random.Next(10) == 0 => (job with { State = JobState.Cancelled, FinishedAt = now }, "Cancelled"),
        JobState.Pending => (job with { State = JobState.Running, AdmittedAt = now, StartedAt = now }, "Started"),
        JobState.Running => random.Next(4) switch
        {
            0 => (job with { State = JobState.Succeeded, FinishedAt = now }, "Succeeded"),
            1 => (job with { State = JobState.Cancelled, FinishedAt = now }, "Cancelled"),
            _ => (job with { State = JobState.Pending, AdmittedAt = null, StartedAt = null, Requeues = job.Requeues + 1 }, random.Next(2) == 0 ? "Preempted" : "Lost"),
        },
        _ => (null, string.Empty),
    };

    private static double Clip(DateTimeOffset start, DateTimeOffset end, DateTimeOffset from, DateTimeOffset to)
    {
        var s = start > from ? start : from;
        var e = end < to ? end : to;
        return e > s ? (e - s).TotalHours : 0;
    }
}
