namespace Berth.Simulation.Formats;

/// <summary>A mapping that keeps its fields in the order they were added; the writer's document tree.</summary>
internal sealed class OrderedMap
{
    public List<KeyValuePair<string, object>> Fields { get; } = [];

    public OrderedMap Add(string key, object value)
    {
        Fields.Add(new(key, value));
        return this;
    }
}
