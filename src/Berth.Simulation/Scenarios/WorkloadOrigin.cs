using Berth.Simulation.Input;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Where a workload was written, so that a problem found later (unknown queue, too large, invalid) is
/// reported at the right file, line and field: an inline entry of the scenario file, or a row of a source
/// file (with the source entry in the scenario file for its settings), or a generated workload (at the source entry).
/// </summary>
internal sealed class WorkloadOrigin
{
    private readonly ScenarioFields? _inline;
    private readonly IReadOnlyList<ScenarioFields>? _podSets;
    private readonly ScenarioFields? _source;
    private readonly string? _file;
    private readonly int _line;
    private readonly IReadOnlyDictionary<string, string>? _columns;

    private WorkloadOrigin(ScenarioFields? inline, IReadOnlyList<ScenarioFields>? podSets, ScenarioFields? source, string? file, int line, IReadOnlyDictionary<string, string>? columns)
    {
        _inline = inline;
        _podSets = podSets;
        _source = source;
        _file = file;
        _line = line;
        _columns = columns;
    }

    /// <summary>An inline workload; <paramref name="podSets"/> holds the mapping of each pod set (the workload itself for the shorthand).</summary>
    public static WorkloadOrigin Inline(ScenarioFields workload, IReadOnlyList<ScenarioFields> podSets) => new(workload, podSets, null, null, 0, null);

    /// <summary>A row of a source file; <paramref name="columns"/> maps scenario field names (gpus, submit, ...) to the file's columns.</summary>
    public static WorkloadOrigin Row(ScenarioFields source, string file, int line, IReadOnlyDictionary<string, string> columns) => new(null, null, source, file, line, columns);

    /// <summary>A generated workload, reported at its source entry.</summary>
    public static WorkloadOrigin Generated(ScenarioFields source) => new(null, null, source, null, 0, null);

    /// <summary>Where it was written, for "first at ..." messages.</summary>
    public string Where => _inline is not null ? $"line {_inline.Line}" : _file is not null ? $"{Path.GetFileName(_file)}:{_line}" : $"the generate source at line {_source!.Line}";

    /// <summary>
    /// An error about <paramref name="field"/> (a scenario field name: queue, gpus, cpu, memory, submit, ...),
    /// at pod set <paramref name="podSet"/> when the field belongs to one.
    /// </summary>
    public InputException Error(string field, string problem, int podSet = -1)
    {
        if (_inline is not null)
        {
            var owner = podSet >= 0 && _podSets is { } sets && podSet < sets.Count ? sets[podSet] : _inline;
            return owner.Has(field) || owner == _inline ? owner.Error(field, problem) : new InputException(owner.File, owner.Line, field, problem);
        }

        if (field == "queue" || _file is null)
        {
            return _source!.Error(field, problem);
        }

        var column = _columns is not null && _columns.TryGetValue(field, out var c) ? c : field;
        return new InputException(_file, _line, column, problem);
    }
}
