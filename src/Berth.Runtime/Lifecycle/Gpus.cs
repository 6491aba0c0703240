namespace Berth.Runtime.Lifecycle;

/// <summary>GPU index masks (bit g: GPU g) to lists and text and back.</summary>
public static class Gpus
{
    public static IReadOnlyList<int> Indices(int mask)
    {
        var list = new List<int>();
        for (var g = 0; g < 32; g++)
        {
            if ((mask & (1 << g)) != 0)
            {
                list.Add(g);
            }
        }

        return list;
    }

    /// <summary>The mask of <paramref name="gpus"/>; indices outside 0..31 are ignored.</summary>
    public static int MaskOf(IEnumerable<int> gpus)
    {
        ArgumentNullException.ThrowIfNull(gpus);
        return gpus.Where(g => g is >= 0 and < 32).Aggregate(0, (m, g) => m | (1 << g));
    }

    public static string Format(int mask) => string.Join(',', Indices(mask));

    /// <summary>
    /// The GPUs (bit g: GPU g) a placed pod holds: its placement mask, except for MIG instances, whose mask packs
    /// GPU and start per instance (<see cref="Engine.Sharing.MigMask"/>) and so is not a GPU mask.
    /// </summary>
    public static int GpusHeld(Model.Pod request, int mask)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsMig)
        {
            return mask;
        }

        var gpus = 0;
        for (var k = 0; k < request.MigCount; k++)
        {
            gpus |= 1 << Engine.Sharing.MigMask.Gpu(mask, k);
        }

        return gpus;
    }
}
