using System.Globalization;
using Berth.Model.Queueing;

namespace Berth.Simulation.Utilization;

/// <summary>
/// How busy a job's GPUs are while it runs, for traces that do not say (the ITP and openb traces record GPUs
/// held, not GPUs used). A documented two-class model, seeded and drawn once per job from its id, so the same
/// job gets the same activity under every profile and in every run:
/// <list type="bullet">
/// <item>a share <see cref="IdleShare"/> of jobs is idle: notebooks left open, stalled input pipelines, debug
/// sessions; their activity is uniform in [0, <see cref="IdleCeiling"/>];</item>
/// <item>the rest draw from a Beta distribution with mean <see cref="ActiveMean"/> and concentration
/// <see cref="Concentration"/> (alpha = mean x concentration, beta = (1 - mean) x concentration).</item>
/// </list>
/// The defaults (20% idle below 5%, the rest with mean 0.6) give a fleet-wide mean of about 0.485: the upper end
/// of the 25-50% real GPU use that the articles Berth answers report for clusters that show every GPU allocated
/// (../shared/design/VISION.md). They are an assumption, not a measurement: a scenario sets its own in its
/// <c>utilization</c> section, and a workload that states <c>gpuActivity</c> keeps it.
/// </summary>
public sealed record UtilizationModel
{
    public static UtilizationModel Default { get; } = new();

    /// <summary>Share of jobs that are idle, 0 to 1.</summary>
    public double IdleShare { get; init; } = 0.2;

    /// <summary>Highest activity of an idle job, 0 to 1 (Run:ai's idle-GPU rules use thresholds of a few percent).</summary>
    public double IdleCeiling { get; init; } = 0.05;

    /// <summary>Mean activity of the jobs that are not idle, strictly between 0 and 1.</summary>
    public double ActiveMean { get; init; } = 0.6;

    /// <summary>How tightly active jobs gather around their mean (alpha + beta of the Beta distribution), more than 0.</summary>
    public double Concentration { get; init; } = 4;

    public int Seed { get; init; } = 1;

    /// <summary>The mean activity a large population of jobs has under this model.</summary>
    public double ExpectedMean => (IdleShare * IdleCeiling / 2) + ((1 - IdleShare) * ActiveMean);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field when a parameter is out of range.</summary>
    public void Validate()
    {
        if (!(IdleShare >= 0 && IdleShare <= 1))
        {
            throw new ArgumentException($"idleShare is {IdleShare.ToString(CultureInfo.InvariantCulture)}; give the share of idle jobs from 0 to 1 (0.2 for 20%)", nameof(IdleShare));
        }

        if (!(IdleCeiling >= 0 && IdleCeiling <= 1))
        {
            throw new ArgumentException($"idleCeiling is {IdleCeiling.ToString(CultureInfo.InvariantCulture)}; give the highest activity of an idle job from 0 to 1 (0.05 for 5%)", nameof(IdleCeiling));
        }

        if (!(ActiveMean > 0 && ActiveMean < 1))
        {
            throw new ArgumentException($"activeMean is {ActiveMean.ToString(CultureInfo.InvariantCulture)}; give the mean activity of busy jobs, more than 0 and less than 1 (0.6 for 60%)", nameof(ActiveMean));
        }

        if (!(Concentration > 0 && double.IsFinite(Concentration)))
        {
            throw new ArgumentException($"concentration is {Concentration.ToString(CultureInfo.InvariantCulture)}; give a number more than 0 (4: spread out, 50: close to the mean)", nameof(Concentration));
        }
    }

    /// <summary>The activity of the job with this id: the same for the same id, seed and parameters.</summary>
    public double ActivityOf(string workloadId)
    {
        ArgumentNullException.ThrowIfNull(workloadId);
        var random = new Random(unchecked((int)StableHash(workloadId) ^ (Seed * 16_777_619)));
        if (random.NextDouble() < IdleShare)
        {
            return random.NextDouble() * IdleCeiling;
        }

        var alpha = ActiveMean * Concentration;
        var beta = (1 - ActiveMean) * Concentration;
        var x = Gamma(random, alpha);
        var y = Gamma(random, beta);
        var sum = x + y;
        return sum > 0 ? Math.Clamp(x / sum, 0, 1) : ActiveMean;
    }

    /// <summary>The workloads with <see cref="Workload.GpuActivity"/> set where it was not (those that state it keep it).</summary>
    public IReadOnlyList<Workload> Apply(IReadOnlyList<Workload> workloads)
    {
        ArgumentNullException.ThrowIfNull(workloads);
        var result = new Workload[workloads.Count];
        for (var i = 0; i < workloads.Count; i++)
        {
            var w = workloads[i];
            result[i] = w.GpuActivity is null ? w with { GpuActivity = ActivityOf(w.Id) } : w;
        }

        return result;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{IdleShare:P0} of jobs idle (activity below {IdleCeiling:P0}), the rest Beta with mean {ActiveMean:0.##} and concentration {Concentration:0.##}, seed {Seed}: about {ExpectedMean:P0} on average");

    /// <summary>FNV-1a over the id's UTF-16 code units: stable across processes and runtimes (string.GetHashCode is not).</summary>
    private static uint StableHash(string text)
    {
        var hash = 2_166_136_261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16_777_619u;
        }

        return hash;
    }

    /// <summary>A Gamma(shape, 1) draw: Marsaglia and Tsang's method, with the boost for shapes below 1.</summary>
    private static double Gamma(Random random, double shape)
    {
        if (shape < 1)
        {
            var u = random.NextDouble();
            return Gamma(random, shape + 1) * Math.Pow(Math.Max(u, double.Epsilon), 1 / shape);
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Normal(random);
                v = 1 + (c * z);
            }
            while (v <= 0);

            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - (0.0331 * z * z * z * z) || Math.Log(Math.Max(u, double.Epsilon)) < (0.5 * z * z) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Normal(Random random)
    {
        var u1 = Math.Max(random.NextDouble(), double.Epsilon);
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
