using Berth.Engine.Admission;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// The one place that turns a profile name into an <see cref="AdmissionProfile"/> for a scenario: the scenario's own
/// definitions (<see cref="Scenario.OwnProfiles"/>, the file's <c>admissionProfiles</c>) first, then the built-in
/// ones (<see cref="AdmissionProfiles"/>). The reader keeps the two apart (an own profile cannot take a built-in
/// name), so the order only says where to look. Replays, comparisons and the CLI resolve through here; the
/// Kubernetes controller and the server have no scenario and take built-in names only.
/// </summary>
public static class ScenarioProfiles
{
    /// <summary>Every name <paramref name="scenario"/> can run: the built-in ones, then its own in file order.</summary>
    public static IReadOnlyList<string> Names(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return [.. AdmissionProfiles.Names, .. scenario.OwnProfiles.Select(p => p.Name)];
    }

    public static bool IsKnown(Scenario scenario, string name) => Find(scenario, name) is not null;

    /// <summary>The profile named <paramref name="name"/> for <paramref name="scenario"/>.</summary>
    public static AdmissionProfile Get(Scenario scenario, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Find(scenario, name)
            ?? throw new ArgumentException($"unknown profile '{name}'; choose among: {string.Join(", ", Names(scenario))}", nameof(name));
    }

    /// <summary>Lays profile <paramref name="name"/> over the scenario's settings.</summary>
    public static AdmissionOptions Apply(Scenario scenario, string name) => Get(scenario, name).ApplyTo(scenario.Options);

    private static AdmissionProfile? Find(Scenario scenario, string name)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.OwnProfiles.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
            ?? (AdmissionProfiles.IsKnown(name) ? AdmissionProfiles.Get(name) : null);
    }
}
