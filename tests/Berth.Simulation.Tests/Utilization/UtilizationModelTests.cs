using Berth.Model.Queueing;
using Berth.Simulation.Utilization;

namespace Berth.Simulation.Tests.Utilization;

public class UtilizationModelTests
{
    private static readonly string[] Ids = Enumerable.Range(0, 20_000).Select(i => $"job-{i}").ToArray();

    [Fact]
    public void ActivityOf_SameIdSeedAndParameters_GivesTheSameValue_AnotherSeedMovesIt()
    {
        var model = UtilizationModel.Default;
        var again = new UtilizationModel();
        Assert.All(Ids.Take(500), id => Assert.Equal(model.ActivityOf(id), again.ActivityOf(id)));
        var reseeded = model with { Seed = 2 };
        Assert.True(Ids.Take(500).Count(id => model.ActivityOf(id) != reseeded.ActivityOf(id)) > 450, "a new seed gives most jobs another activity");
    }

    [Theory]
    [InlineData(0.2, 0.05, 0.6, 4.0)]
    [InlineData(0.0, 0.05, 0.3, 10.0)]
    [InlineData(0.5, 0.1, 0.8, 2.0)]
    [InlineData(1.0, 0.02, 0.5, 4.0)]
    public void ActivityOf_ManyJobs_StaysInRangeAndMatchesTheModelsShares(double idleShare, double idleCeiling, double activeMean, double concentration)
    {
        var model = new UtilizationModel { IdleShare = idleShare, IdleCeiling = idleCeiling, ActiveMean = activeMean, Concentration = concentration, Seed = 7 };
        var values = Ids.Select(model.ActivityOf).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0, 1));

        // 20,000 draws: the mean is within 0.01 of the model's and the idle share within 2 points (binomial sd <= 0.0036).
        Assert.Equal(model.ExpectedMean, values.Average(), 0.01);
        var low = values.Count(v => v <= idleCeiling) / (double)values.Length;
        var activeBelow = idleShare < 1 ? ActiveShareBelow(activeMean, concentration, idleCeiling) : 0;
        var expectedLow = idleShare + ((1 - idleShare) * activeBelow);
        Assert.Equal(expectedLow, low, 0.02);
    }

    [Fact]
    public void Apply_KeepsStatedActivity_AndFillsTheRest()
    {
        var stated = new Workload("stated") { Queue = "q", GpuActivity = 0.9 };
        var unknown = new Workload("unknown") { Queue = "q" };
        var applied = UtilizationModel.Default.Apply([stated, unknown]);
        Assert.Equal(0.9, applied[0].GpuActivity);
        Assert.Equal(UtilizationModel.Default.ActivityOf("unknown"), applied[1].GpuActivity);
    }

    [Theory]
    [InlineData(-0.1, 0.05, 0.6, 4, "IdleShare")]
    [InlineData(1.1, 0.05, 0.6, 4, "IdleShare")]
    [InlineData(0.2, 1.5, 0.6, 4, "IdleCeiling")]
    [InlineData(0.2, 0.05, 0, 4, "ActiveMean")]
    [InlineData(0.2, 0.05, 1, 4, "ActiveMean")]
    [InlineData(0.2, 0.05, 0.6, 0, "Concentration")]
    [InlineData(0.2, 0.05, double.NaN, 4, "ActiveMean")]
    public void Validate_OutOfRange_NamesTheParameter(double idleShare, double idleCeiling, double activeMean, double concentration, string parameter)
    {
        var model = new UtilizationModel { IdleShare = idleShare, IdleCeiling = idleCeiling, ActiveMean = activeMean, Concentration = concentration };
        var e = Assert.Throws<ArgumentException>(model.Validate);
        Assert.Equal(parameter, e.ParamName);
    }

    /// <summary>P(X &lt;= x) for X ~ Beta(mean k, (1 - mean) k), by numeric integration of the density (independent of the sampler).</summary>
    private static double ActiveShareBelow(double mean, double k, double x)
    {
        var a = mean * k;
        var b = (1 - mean) * k;
        const int steps = 200_000;
        double Density(double t) => Math.Pow(t, a - 1) * Math.Pow(1 - t, b - 1);
        double Integrate(double from, double to)
        {
            var h = (to - from) / steps;
            var sum = 0.0;
            for (var i = 0; i < steps; i++)
            {
                sum += Density(from + ((i + 0.5) * h)) * h;
            }

            return sum;
        }

        return Integrate(0, x) / Integrate(0, 1);
    }
}
