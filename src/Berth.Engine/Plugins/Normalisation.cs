namespace Berth.Engine.Plugins;

/// <summary>Shared constants and rescaling of the published baseline scores.</summary>
internal static class Normalisation
{
    /// <summary>CPU of the largest openb node (128 cores), the baselines' normaliser.</summary>
    public const double CpuMilli = 128_000;

    /// <summary>GPU of the largest openb node (8 GPUs), the baselines' normaliser.</summary>
    public const double GpuMilli = 8_000;

    /// <summary>Rescales to integers 0..100 (kube-scheduler's min-max normalisation); all equal stays as is.</summary>
    public static void MinMax(Span<double> scores)
    {
        if (scores.Length == 0)
        {
            return;
        }

        double min = scores[0], max = scores[0];
        foreach (var s in scores)
        {
            min = Math.Min(min, s);
            max = Math.Max(max, s);
        }

        if (max == min)
        {
            return;
        }

        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = Math.Truncate((scores[i] - min) * 100 / (max - min));
        }
    }
}
