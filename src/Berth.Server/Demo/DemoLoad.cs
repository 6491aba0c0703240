using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.Server.Store;

namespace Berth.Server.Demo;

/// <summary>
/// The steady stream of jobs of <c>berth serve --demo</c>: one job per <c>interval</c> of real time to a random
/// queue (seeded, so two demos look alike), paused while many wait, so a new user sees jobs queue, start and end.
/// Each job states how busy its GPUs are (the simulated nodes' stand-in for telemetry): one in five is nearly idle,
/// the rest between 45% and 95% busy, so the dashboard's yield, per-GPU activity and right-sizing have something to show.
/// </summary>
public sealed class DemoLoad(ServerStore store, DecisionLoop loop, ServerCluster cluster, TimeProvider time, int seed = 7)
{
    public const int MaxWaiting = 25;

    private static readonly string[] Names = ["llama-ft", "bert-eval", "resnet", "vit-sweep", "rl-agent", "whisper", "sd-train", "moe-pre"];
    private static readonly int[] GpuChoices = [1, 1, 2, 4, 8];

    private readonly Random _random = new(seed);

    /// <summary>Submits one job unless <see cref="MaxWaiting"/> wait already; returns it (null: paused).</summary>
    public JobRecord? SubmitOne()
    {
        if (store.Active().Count(j => j.State == JobState.Pending) >= MaxWaiting)
        {
            return null;
        }

        var queues = cluster.Configuration.Queues;
        var queue = queues[_random.Next(queues.Count)].Name;
        var gpus = GpuChoices[_random.Next(GpuChoices.Length)];
        var pods = gpus == 8 && _random.Next(3) == 0 ? 2 : 1;
        var classes = cluster.Configuration.PriorityClasses;
        var spec = new JobSpec
        {
            Name = Names[_random.Next(Names.Length)],
            Queue = queue,
            User = "demo",
            PriorityClass = classes.Count == 0 ? null : classes[_random.Next(classes.Count)].Name,
            Duration = $"{_random.Next(2, 40)}m",
            PodSets = [new PodSetSpec { Name = "workers", Count = pods, Gpus = gpus, Cpu = 8 * gpus, MemoryGiB = 64 * gpus }],
            GpuActivity = _random.Next(5) == 0 ? 0.05 : Math.Round(0.45 + (0.5 * _random.NextDouble()), 2),
        };
        var (job, _) = store.Submit(spec, idempotencyKey: null, time.GetUtcNow());
        loop.Wake();
        return job;
    }

    /// <summary>Submits a job every <paramref name="interval"/> of real time until <paramref name="stopping"/>.</summary>
    public async Task RunAsync(TimeSpan interval, TimeProvider realTime, CancellationToken stopping)
    {
        try
        {
            using var timer = new PeriodicTimer(interval, realTime);
            for (var i = 0; i < 6; i++)
            {
                SubmitOne(); // a few at once, so the first look is not empty
            }

            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                SubmitOne();
            }
        }
        catch (OperationCanceledException)
        {
            // the server stops
        }
    }
}
