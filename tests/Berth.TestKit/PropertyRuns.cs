namespace Berth.TestKit;

/// <summary>
/// How many random cases a property test runs: its CI count, or more when <c>BERTH_PROPERTY_ITERATIONS</c> asks for
/// more (a long run by hand: <c>BERTH_PROPERTY_ITERATIONS=8000 dotnet test ...</c>). Never fewer than the CI count.
/// </summary>
public static class PropertyRuns
{
    public const string Variable = "BERTH_PROPERTY_ITERATIONS";

    public static int Iterations(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var asked) && asked > ci ? asked : ci;
}
