using System.Net;
using System.Net.Http.Json;
using Berth.Server.Api;
using Berth.TestKit;

namespace Berth.Server.Tests;

/// <summary>
/// Property: under any seeded sequence of submits (some retried with the same idempotency key), cancels, clock
/// steps, cycles and restarts, no GPU is held past its capacity and every accepted job exists exactly once.
/// </summary>
public class RandomSequenceTests
{
    [Fact]
    public async Task RandomSubmitCancelRestart_NeverHoldsAGpuTwice_AndKeepsEveryAcceptedJobOnce()
    {
        var runs = PropertyRuns.Iterations(6);
        for (var seed = 1; seed <= runs; seed++)
        {
            await RunAsync(seed);
        }
    }

    private static async Task RunAsync(int seed)
    {
        var random = new Random(seed);
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 2, gpus: 4));
        var accepted = new Dictionary<string, string>(StringComparer.Ordinal); // id -> key
        var keys = new List<string>();
        for (var step = 0; step < 40; step++)
        {
            var roll = random.Next(100);
            if (roll < 45)
            {
                // A new submit, or a retry of an earlier one.
                var retry = keys.Count > 0 && random.Next(4) == 0;
                var key = retry ? keys[random.Next(keys.Count)] : $"s{seed}-k{step}";
                var share = random.Next(5) == 0;
                object body = share
                    ? new Berth.Server.Jobs.JobSpec { Queue = random.Next(2) == 0 ? "team-a" : "team-b", Duration = $"{random.Next(1, 30)}m", PodSets = [new Berth.Server.Jobs.PodSetSpec { Count = random.Next(1, 3), GpuShare = 0.25 * random.Next(1, 4) }] }
                    : ServerHarness.Job(queue: random.Next(2) == 0 ? "team-a" : "team-b", gpus: random.Next(1, 5), pods: random.Next(1, 3), duration: $"{random.Next(1, 30)}m", priorityClass: random.Next(3) == 0 ? "high" : null);
                using var response = await h.SubmitAsync(body, key: key);
                Assert.True(response.IsSuccessStatusCode, $"seed {seed} step {step}: {await response.Content.ReadAsStringAsync()}");
                var job = await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses);
                if (retry)
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal(key, accepted[job!.Id]);
                }
                else
                {
                    Assert.True(accepted.TryAdd(job!.Id, key), $"seed {seed}: id {job.Id} given twice");
                    keys.Add(key);
                }
            }
            else if (roll < 60 && accepted.Count > 0)
            {
                var id = accepted.Keys.ElementAt(random.Next(accepted.Count));
                using var response = await h.Admin.DeleteAsync($"api/v1/jobs/{id}");
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"seed {seed}: cancel {id} gave {response.StatusCode}");
            }
            else if (roll < 85)
            {
                h.Time.Advance(random.Next(0, 15 * 60));
                h.Cycle();
            }
            else
            {
                await h.RestartAsync();
            }

            Check(h, accepted, seed, step);
        }
    }

    private static void Check(ServerHarness h, Dictionary<string, string> accepted, int seed, int step)
    {
        var all = h.Server.Store.All();
        Assert.True(all.Select(j => j.Id).Distinct(StringComparer.Ordinal).Count() == all.Count, $"seed {seed} step {step}: a job id appears twice");
        Assert.Equal(accepted.Keys.Order(StringComparer.Ordinal), all.Select(j => j.Id).Order(StringComparer.Ordinal));
        foreach (var ((node, gpu), milli) in h.GpuHolds())
        {
            Assert.True(milli <= 1000, $"seed {seed} step {step}: GPU {gpu} of {node} is held {milli}/1000");
        }

        var whole = h.Server.Store.All().Where(j => j.HoldsGpus).SelectMany(j => j.Bindings.Where(b => b.GpuMilli == 1000).SelectMany(b => Berth.Runtime.Lifecycle.Gpus.Indices(b.GpuMask).Select(g => (b.Node, g)))).ToArray();
        Assert.True(whole.Distinct().Count() == whole.Length, $"seed {seed} step {step}: a whole GPU is held by two pods");
    }
}
