using System.Diagnostics;
using System.Globalization;
using Berth.Simulation.Generation;
using Berth.Simulation.Jobs;

namespace Berth.Benchmarks;

/// <summary>
/// <c>scenario hyperscale [--nodes 12500] [--days 30] [--jobs 1000000] [--load 0.85] [--profile fair-share+backfill+preemption] [--seed 1]</c>:
/// generates a month of a hyperscale cluster (<see cref="HyperscaleGenerator"/>) and replays it through the job-level
/// simulator, with a progress bar on standard error; prints wall time, peak memory and jobs done.
/// </summary>
public static class HyperscaleScale
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Run(HyperscaleOptions options, string profile)
    {
        var total = Stopwatch.StartNew();
        var scenario = HyperscaleGenerator.Generate(options);
        var generated = total.Elapsed;
        Console.WriteLine(string.Create(Inv, $"{scenario.Description}; generated in {generated.TotalSeconds:F1} s; {scenario.Notes[0]}"));

        // Every job has at least an arrival and an end event (a start delay or a preemption adds more): the bar's total
        // is an estimate from below, and the bar stops short of full until the replay ends.
        var progress = new Bar(2L * options.Jobs);
        var replay = Stopwatch.StartNew();
        var result = JobReplay.Run(scenario, profile, new JobReplayOptions { Progress = progress });
        replay.Stop();
        progress.Done();
        var all = result.Queues[^1];
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine(string.Create(Inv, $"profile {profile}: replay {replay.Elapsed.TotalSeconds:F1} s (total with generation {total.Elapsed.TotalSeconds:F1} s)"));
        Console.WriteLine(string.Create(Inv, $"jobs {all.Jobs}: completed {all.Completed}, failed {all.Failed}, unfinished {all.Unfinished}; preemptions {all.Preemptions}; makespan {result.Makespan.TotalDays:F1} days"));
        Console.WriteLine(string.Create(Inv, $"GPU allocated {all.GpuAllocPct:F1}%, mean wait {all.MeanWait / 3600:F2} h, p95 wait {all.P95Wait / 3600:F2} h; event-log hash {result.EventLogHash}"));
        Console.WriteLine(string.Create(Inv,
            $"peak working set {process.PeakWorkingSet64 / 1048576.0:F0} MiB; GC heap {gc.HeapSizeBytes / 1048576.0:F0} MiB at the last GC, committed {gc.TotalCommittedBytes / 1048576.0:F0} MiB; allocated in all {GC.GetTotalAllocatedBytes() / 1073741824.0:F1} GiB; GCs gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}"));
    }

    /// <summary>A one-line progress bar with the time left, redrawn at most twice a second.</summary>
    private sealed class Bar(long total) : IProgress<int>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private long _lastDraw = -1;
        private int _done;

        public void Report(int value)
        {
            _done = value;
            var now = _watch.ElapsedMilliseconds;
            if (now - _lastDraw < 500)
            {
                return;
            }

            _lastDraw = now;
            var fraction = Math.Min(0.99, value / (double)Math.Max(1, total));
            var left = fraction > 0 ? TimeSpan.FromMilliseconds(now * (1 - fraction) / fraction) : TimeSpan.Zero;
            var filled = (int)(fraction * 40);
            Console.Error.Write(string.Create(Inv, $"\r[{new string('#', filled)}{new string('.', 40 - filled)}] {100 * fraction,5:F1}%  {value} events  {now / 1000.0,6:F0} s elapsed, about {left.TotalSeconds,5:F0} s left "));
        }

        public void Done() => Console.Error.WriteLine(string.Create(Inv, $"\r[{new string('#', 40)}] {_done} events in {_watch.Elapsed.TotalSeconds:F0} s{new string(' ', 40)}"));
    }
}
