using System.Collections.Frozen;

namespace Berth.Model.Gpus;

/// <summary>
/// The MIG geometry Berth ships for the MIG-capable models of <see cref="GpuModelCatalog.Default"/>.
/// </summary>
/// <remarks>
/// Source: NVIDIA Multi-Instance GPU User Guide, "Supported MIG Profiles" (profile names, memory and SM
/// fractions, instances available per profile; https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html)
/// and "Getting Started with MIG" (<c>nvidia-smi mig -lgipp</c>, the placements <c>{0..6}:1</c>, <c>{0,2,4,6}:2</c>
/// for the 1g profile with double memory, <c>{0,2,4}:2</c>, <c>{0,4}:4</c>, <c>{0}:4</c>, <c>{0}:8</c>), with the
/// rule from NVML's <c>nvmlDeviceGetGpuInstancePossiblePlacements_v2</c> that an instance fails to be created when its
/// memory slices overlap an existing one. The A100, H100 and H200 share this geometry (8 memory slices, 7 compute
/// slices, at most 7 instances); only the memory per slice and so the profile names differ. The A100-40GB's
/// <c>1g.10gb</c> needs an R525 or newer driver. Memory is the instance's share of the GPU's memory by slices.
/// Not modelled yet: the <c>-me</c>, <c>+gfx</c> and <c>+me.all</c> variants newer guides list, and models other than these four.
/// </remarks>
public static class MigGeometries
{
    private static readonly int[] AnyOfSeven = [0, 1, 2, 3, 4, 5, 6];
    private static readonly int[] EvenOfFour = [0, 2, 4, 6];
    private static readonly int[] EvenOfThree = [0, 2, 4];
    private static readonly int[] Halves = [0, 4];
    private static readonly int[] First = [0];

    private static readonly FrozenDictionary<string, MigGeometry> BuiltIn = new[]
    {
        EightSlice("A100-40G", small: 5, doubled: 10, two: 10, half: 20, whole: 40),
        EightSlice("A100", small: 10, doubled: 20, two: 20, half: 40, whole: 80),
        EightSlice("H100", small: 10, doubled: 20, two: 20, half: 40, whole: 80),
        EightSlice("H200", small: 18, doubled: 35, two: 35, half: 71, whole: 141),
    }.ToFrozenDictionary(g => g.GpuModel, StringComparer.Ordinal);

    /// <summary>The GPU models with built-in MIG geometry, sorted ordinally.</summary>
    public static IReadOnlyList<string> Models { get; } = BuiltIn.Keys.Order(StringComparer.Ordinal).ToArray();

    public static bool TryGet(string gpuModel, out MigGeometry geometry) => BuiltIn.TryGetValue(gpuModel, out geometry!);

    // The profile set of an 8-memory-slice, 7-compute-slice GPU, named by the memory (GB) of each size. Memory is
    // the instance's share of the GPU's memory (slices x whole / 8): the names round it (the H200's 3g.71gb is
    // 70.5 GB), and two 3g.71gb must not add up to more than the 141 GB the GPU has.
    private static MigGeometry EightSlice(string model, int small, int doubled, int two, int half, int whole)
    {
        long Memory(int slices) => whole * 1024L * slices / 8;
        return new(model, memorySlices: 8, computeSlices: 7, maxInstances: 7,
        [
            new($"1g.{small}gb", 1, 1, Memory(1), AnyOfSeven, MaxInstances: 7, MediaExtensions: false),
            new($"1g.{small}gb+me", 1, 1, Memory(1), AnyOfSeven, MaxInstances: 1, MediaExtensions: true),
            new($"1g.{doubled}gb", 1, 2, Memory(2), EvenOfFour, MaxInstances: 4, MediaExtensions: false),
            new($"2g.{two}gb", 2, 2, Memory(2), EvenOfThree, MaxInstances: 3, MediaExtensions: false),
            new($"3g.{half}gb", 3, 4, Memory(4), Halves, MaxInstances: 2, MediaExtensions: false),
            new($"4g.{half}gb", 4, 4, Memory(4), First, MaxInstances: 1, MediaExtensions: false),
            new($"7g.{whole}gb", 7, 8, Memory(8), First, MaxInstances: 1, MediaExtensions: false),
        ]);
    }
}
