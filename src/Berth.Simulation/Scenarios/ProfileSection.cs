using Berth.Engine.Admission;
using Berth.Engine.Admission.Actions;
using Berth.Model.Queueing;
using Berth.Simulation.Formats;
using Berth.Simulation.Input;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Reads a scenario's <c>admissionProfiles</c> (profiles it defines as data: a name, the actions in order, the order
/// of heads and an optional queueing override) and its <c>profiles</c> list (the names to compare, built-in or its
/// own). Every problem is an <see cref="InputException"/> naming the field, such as
/// <c>admissionProfiles[0].actions[2]</c>, and the fix; the reader returns nothing until every profile is valid.
/// </summary>
internal static class ProfileSection
{
    private static readonly string[] ProfileFields = ["name", "actions", "order", "queueing"];
    private static readonly (string, CandidateOrder)[] Orders = [("fair-share", CandidateOrder.FairShare), ("fifo", CandidateOrder.Fifo)];
    private static readonly (string, QueueingStrategy)[] Queueings = [("strict-fifo", QueueingStrategy.StrictFifo), ("besteffort-fifo", QueueingStrategy.BestEffortFifo)];

    /// <summary>The profiles the scenario defines, in file order.</summary>
    public static List<AdmissionProfile> ReadDefinitions(ScenarioFields root)
    {
        var result = new List<AdmissionProfile>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = root.MappingList("admissionProfiles", "profile fields (name, actions, order, queueing)", ProfileFields, required: false);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var where = $"admissionProfiles[{i}]";
            var name = entry.RequiredString("name", "kai-order");
            CheckName(entry, where, name, lines);
            var profile = new AdmissionProfile(name, ReadActions(entry, where, name))
            {
                Order = entry.OptionalChoice("order", Orders) ?? CandidateOrder.FairShare,
                StrategyOverride = entry.OptionalChoice("queueing", Queueings),
            };
            lines.Add(name, entry.Line);
            result.Add(profile);
        }

        return result;
    }

    /// <summary>The <c>profiles</c> list: each a built-in profile or one of <paramref name="own"/>, listed once.</summary>
    public static List<string> ReadNames(ScenarioFields root, IReadOnlyList<AdmissionProfile> own)
    {
        var profiles = new List<string>();
        foreach (var profile in root.StringList("profiles"))
        {
            if (!AdmissionProfiles.IsKnown(profile) && !own.Any(p => string.Equals(p.Name, profile, StringComparison.Ordinal)))
            {
                var defined = own.Count > 0 ? $", or one this scenario defines under admissionProfiles: {string.Join(", ", own.Select(p => p.Name))}" : "; or define it under admissionProfiles";
                throw root.Error("profiles", $"unknown profile '{profile}'; choose among {string.Join(", ", AdmissionProfiles.Names)}{defined}");
            }

            if (profiles.Contains(profile, StringComparer.Ordinal))
            {
                throw root.Error("profiles", $"profile '{profile}' is listed twice; list each profile once");
            }

            profiles.Add(profile);
        }

        return profiles;
    }

    private static void CheckName(ScenarioFields entry, string where, string name, Dictionary<string, int> lines)
    {
        if (AdmissionProfiles.IsKnown(name))
        {
            throw entry.Error("name", $"{where}: '{name}' is a built-in profile; give your profile another name (built-in: {string.Join(", ", AdmissionProfiles.Names)})");
        }

        if (lines.TryGetValue(name, out var first))
        {
            throw entry.Error("name", $"{where}: profile '{name}' is defined twice (first at line {first}); rename or remove one");
        }

        // The command line lists profiles separated by commas and calls them all 'all'.
        if (name == "all" || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '.' or '_'))
        {
            throw entry.Error("name", $"{where}: '{name}' cannot name a profile; use letters, digits and - + . _ (not 'all'), e.g. kai-order");
        }
    }

    private static string[] ReadActions(ScenarioFields entry, string where, string name)
    {
        if (!entry.Has("actions"))
        {
            throw entry.Error("actions", $"{where} (profile {name}) has no 'actions'; list them in the order they run, allocate first, e.g. 'actions: [allocate, backfill, reclaim, consolidate, preempt]'");
        }

        var actions = entry.StringList("actions");
        var items = entry.OptionalSequence("actions")!.Children;
        if (actions.Count == 0)
        {
            throw entry.Error("actions", $"{where}.actions is empty; list the actions in the order they run, allocate first, e.g. [allocate, preempt]");
        }

        for (var a = 0; a < actions.Count; a++)
        {
            var field = $"{where}.actions[{a}]";
            var line = YamlSource.Line(items[a]);
            if (!AdmissionActions.Names.Contains(actions[a], StringComparer.Ordinal))
            {
                throw new InputException(entry.File, line, field, $"'{actions[a]}' is not an admission action; write one of the registered actions: {string.Join(", ", AdmissionActions.Names)}");
            }

            if (actions.Take(a).Contains(actions[a], StringComparer.Ordinal))
            {
                throw new InputException(entry.File, line, field, $"'{actions[a]}' is named twice in profile {name}; name each action once, in the order they run");
            }
        }

        if (!string.Equals(actions[0], AdmissionActions.Allocate, StringComparison.Ordinal))
        {
            throw new InputException(entry.File, YamlSource.Line(items[0]), $"{where}.actions[0]", $"profile {name} starts with '{actions[0]}'; allocate must come first (the other actions act only for what allocate could not admit), so write [allocate, {string.Join(", ", actions.Where(x => x != AdmissionActions.Allocate))}]");
        }

        return [.. actions];
    }
}
