using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

public sealed class ScenarioUnitsTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1.5h", 5400)]
    [InlineData("1h30m", 5400)]
    [InlineData("0s", 0)]
    public void TryParseDuration_KnownUnits_GiveWholeSeconds(string text, long seconds)
    {
        Assert.True(ScenarioUnits.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("-5s")]
    [InlineData("-5")]
    [InlineData("1w")]
    [InlineData("0.5s")]
    [InlineData("h")]
    [InlineData("10 m")]
    [InlineData("")]
    public void TryParseDuration_BadText_IsRejected(string text) => Assert.False(ScenarioUnits.TryParseDuration(text, out _));

    [Theory]
    [InlineData("16384", 16384)]
    [InlineData("512Mi", 512)]
    [InlineData("16Gi", 16384)]
    [InlineData("1.5Ti", 1572864)]
    public void TryParseMemory_Units_GiveMiB(string text, long mib)
    {
        Assert.True(ScenarioUnits.TryParseMemory(text, out var value));
        Assert.Equal(mib, value);
    }

    [Theory]
    [InlineData("16GB")]
    [InlineData("0.5Mi")]
    [InlineData("-1Gi")]
    public void TryParseMemory_BadText_IsRejected(string text) => Assert.False(ScenarioUnits.TryParseMemory(text, out _));

    [Theory]
    [InlineData("8", 8000)]
    [InlineData("0.5", 500)]
    [InlineData("0.1", 100)]
    [InlineData("250m", 250)]
    public void TryParseCpu_CoresOrMilli_GiveMilliCores(string text, long milli)
    {
        Assert.True(ScenarioUnits.TryParseCpu(text, out var value));
        Assert.Equal(milli, value);
    }

    [Theory]
    [InlineData("0.0001")]
    [InlineData("1.5m")]
    [InlineData("-2")]
    [InlineData("two")]
    public void TryParseCpu_BadText_IsRejected(string text) => Assert.False(ScenarioUnits.TryParseCpu(text, out _));
}
