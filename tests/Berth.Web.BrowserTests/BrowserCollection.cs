namespace Berth.Web.BrowserTests;

/// <summary>The browser, started once for all the dashboard tests.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
