namespace Berth.TestKit;

/// <summary>
/// How many random cases a property test runs: its CI count, or more when <c>BERTH_PROPERTY_ITERATIONS</c> asks for
/// more (a long run by hand: <c>BERTH_PROPERTY_ITERATIONS=8000 dotnet test ...</c>). Never fewer than the CI count.
/// A test that numbers its cases by seed starts at <see cref="FirstSeed"/>, so that a run by hand can look at
/// scripts CI never runs (<c>BERTH_PROPERTY_FIRST_SEED=1000000000</c>) while CI stays on the same ones.
/// </summary>
public static class PropertyRuns
{
    public const string Variable = "BERTH_PROPERTY_ITERATIONS";

    public const string FirstSeedVariable = "BERTH_PROPERTY_FIRST_SEED";

    public static int Iterations(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var asked) && asked > ci ? asked : ci;

    /// <summary>The first seed of a run: <paramref name="ci"/>, or the positive number <c>BERTH_PROPERTY_FIRST_SEED</c> names.</summary>
    public static int FirstSeed(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable(FirstSeedVariable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var first) && first > 0 ? first : ci;
}
