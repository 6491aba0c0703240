using YamlDotNet.RepresentationModel;

namespace Berth.Cli.Import;

/// <summary>Small accessors over a parsed manifest: a child mapping, a scalar, a list, the line of a node.</summary>
internal static class Yaml
{
    public static YamlNode? Child(this YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: var k } && k == key).Value;

    public static YamlMappingNode? Map(this YamlMappingNode map, string key) => map.Child(key) as YamlMappingNode;

    public static IReadOnlyList<YamlNode> List(this YamlMappingNode map, string key) =>
        map.Child(key) is YamlSequenceNode list ? list.Children.ToArray() : [];

    public static string? Text(this YamlMappingNode map, string key) =>
        map.Child(key) is YamlScalarNode { Value: { Length: > 0 } value } && value is not ("~" or "null") ? value : null;

    public static IEnumerable<string> Keys(this YamlMappingNode map) =>
        map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty);

    public static int Line(this YamlNode node) => (int)Math.Max(1, node.Start.Line);

    public static int LineOf(this YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: var k } && k == key).Key?.Line() ?? map.Line();
}
