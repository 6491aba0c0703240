using System.Globalization;
using Berth.Model;
using Berth.Model.Gpus;
using Berth.Simulation.Input;

namespace Berth.Simulation.Generation;

/// <summary>
/// Builds the inference-heavy workload of <see cref="InferenceWorkloadOptions"/>: requests for one MIG instance of the
/// 1g, 2g or 3g profile of the GPU model (for the 80 GB A100: <c>1g.10gb</c>, <c>2g.20gb</c>, <c>3g.40gb</c>), with
/// arrival and leave times. Deterministic: one <see cref="Random"/> seeded from the options.
/// </summary>
public static class InferenceWorkloadGenerator
{
    /// <summary>The requests in arrival order, named <c>model-00000</c>...; each asks for 1 core and 8 GiB besides its slice.</summary>
    public static IReadOnlyList<TracePod> Generate(InferenceWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!MigGeometries.TryGet(options.GpuModel, out var geometry))
        {
            throw new ArgumentException($"inference workload: GPU model {options.GpuModel} has no MIG geometry; use one of {string.Join(", ", MigGeometries.Models)}");
        }

        // The profile of each compute size: the one with the fewest memory slices (1g.10gb, not 1g.20gb).
        var profiles = new[] { 1, 2, 3 }.ToDictionary(
            size => size,
            size => geometry.Profiles.Where(p => p.ComputeSlices == size && !p.MediaExtensions).MinBy(p => p.MemorySlices)!);

        // Arrival rate from Little's law: load x slices = rate x run time x mean slices per request.
        var meanSlices = options.Phases.Average(phase => phase.Sum(w => w.Weight * profiles[w.Value].MemorySlices) / phase.Sum(w => w.Weight));
        var slices = (double)options.Nodes * options.GpusPerNode * geometry.MemorySlices;
        var rate = options.OfferedLoad * slices / (options.MeanRunSeconds * meanSlices);

        var random = new Random(options.Seed);
        var pods = new TracePod[options.Requests];
        var now = 0.0;
        for (var i = 0; i < options.Requests; i++)
        {
            now += Exponential(random, 1 / rate);
            var phase = options.Phases[(int)((long)i * options.Phases.Count / options.Requests)];
            var profile = profiles[Pick(random, phase)];
            var run = Math.Max(1, Exponential(random, options.MeanRunSeconds));
            var pod = new Pod
            {
                Name = "model-" + i.ToString("D5", CultureInfo.InvariantCulture),
                CpuMilli = 1_000,
                MemoryMiB = 8 * 1024,
                MigProfile = profile.Name,
                MigCount = 1,
            };
            pods[i] = new TracePod(pod, (long)now, (long)(now + run));
        }

        return pods;
    }

    /// <summary>The nodes the workload runs on, all with <paramref name="sharing"/> (or whole GPUs with <see cref="GpuSharing.Exclusive"/>).</summary>
    public static IReadOnlyList<Node> Cluster(InferenceWorkloadOptions options, Func<int, GpuSharing> sharing)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sharing);
        return Enumerable.Range(0, options.Nodes).Select(n => new Node
        {
            Name = "gpu-" + n.ToString("D3", CultureInfo.InvariantCulture),
            CpuMilli = 128_000,
            MemoryMiB = 1024 * 1024,
            GpuCount = options.GpusPerNode,
            GpuModel = options.GpuModel,
            Sharing = sharing(n),
        }).ToArray();
    }

    private static int Pick(Random random, IReadOnlyList<Weighted<int>> mix)
    {
        var x = random.NextDouble() * mix.Sum(w => w.Weight);
        foreach (var w in mix)
        {
            x -= w.Weight;
            if (x < 0)
            {
                return w.Value;
            }
        }

        return mix[^1].Value;
    }

    private static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());
}
