namespace Berth.Simulation.BrowserTests;

/// <summary>The browser and the sample reports, made once for all the tests that use them.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>, ICollectionFixture<SampleReports>
{
    public const string Name = "browser";
}
