using System.Reflection;
using System.Text.Json.Serialization;
using YamlDotNet.RepresentationModel;

namespace Berth.Kubernetes.Tests.Api;

/// <summary>
/// Compares a C# API type with an OpenAPI v3 schema read from a CRD: every property the type serialises
/// (its [JsonPropertyName]) must be in the schema with a matching type, and the schema may hold nothing
/// the type does not serialise. Recurses into objects, list items and map values.
/// </summary>
internal static class SchemaDrift
{
    public static List<string> Compare(Type type, YamlMappingNode schema, string path)
    {
        var problems = new List<string>();
        CompareObject(type, schema, path, problems);
        return problems;
    }

    /// <summary>The schema node at a field path such as <c>spec.flavors.resources</c> (lists are stepped through).</summary>
    public static YamlMappingNode? At(YamlMappingNode schema, IEnumerable<string> fields)
    {
        var node = schema;
        foreach (var field in fields)
        {
            while (Child(node, "items") is { } items)
            {
                node = items;
            }

            if (Child(node, "properties") is not { } properties || Child(properties, field) is not { } next)
            {
                return null;
            }

            node = next;
        }

        return node;
    }

    public static YamlMappingNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    public static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? (child as YamlScalarNode)?.Value : null;

    private static void CompareObject(Type type, YamlMappingNode schema, string path, List<string> problems)
    {
        if (Scalar(schema, "type") != "object")
        {
            problems.Add($"{path}: the schema's type is '{Scalar(schema, "type")}', but {type.Name} is an object");
            return;
        }

        var properties = Child(schema, "properties") ?? new YamlMappingNode();
        var declared = properties.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet(StringComparer.Ordinal);
        var serialised = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name is not { } name || property.GetCustomAttribute<JsonIgnoreAttribute>() is not null)
            {
                continue;
            }

            serialised.Add(name);
            if (Child(properties, name) is not { } child)
            {
                problems.Add($"{path}.{name}: {type.Name}.{property.Name} is serialised, but the CRD schema does not declare it");
                continue;
            }

            CompareValue(property.PropertyType, property, child, $"{path}.{name}", problems);
        }

        foreach (var name in declared.Except(serialised).Order(StringComparer.Ordinal))
        {
            problems.Add($"{path}.{name}: the CRD schema declares it, but {type.Name} has no property serialised as '{name}'");
        }
    }

    private static void CompareValue(Type type, PropertyInfo? property, YamlMappingNode schema, string path, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var schemaType = Scalar(schema, "type");
        if (type == typeof(string))
        {
            var intOrString = Scalar(schema, "x-kubernetes-int-or-string") == "true";
            var isQuantity = property?.GetCustomAttributes().Any(a => a is JsonConverterAttribute c && c.ConverterType?.Name == "QuantityJsonConverter") == true;
            if (isQuantity && !intOrString)
            {
                problems.Add($"{path}: a quantity (int or string) in C#, but the schema is not x-kubernetes-int-or-string");
            }
            else if (!isQuantity && schemaType != "string")
            {
                problems.Add($"{path}: a string in C#, but the schema's type is '{schemaType}'");
            }

            return;
        }

        var expected = type == typeof(int) || type == typeof(long) ? "integer"
            : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "number"
            : type == typeof(bool) ? "boolean"
            : type == typeof(DateTime) || type == typeof(DateTimeOffset) ? "string"
            : null;
        if (expected is not null)
        {
            if (schemaType != expected)
            {
                problems.Add($"{path}: a {type.Name} in C#, but the schema's type is '{schemaType}' (expected '{expected}')");
            }
            else if (expected == "string" && Scalar(schema, "format") != "date-time")
            {
                problems.Add($"{path}: a time in C#, but the schema has no 'format: date-time'");
            }

            return;
        }

        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null)
        {
            if (schemaType != "object" || Child(schema, "additionalProperties") is not { } values)
            {
                problems.Add($"{path}: a map in C#, but the schema is not an object with additionalProperties");
                return;
            }

            CompareValue(dictionary.GetGenericArguments()[1], null, values, path + "{}", problems);
            return;
        }

        var list = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        if (list is not null)
        {
            if (schemaType != "array" || Child(schema, "items") is not { } items)
            {
                problems.Add($"{path}: a list in C#, but the schema is not an array with items");
                return;
            }

            CompareValue(list.GetGenericArguments()[0], null, items, path + "[]", problems);
            return;
        }

        CompareObject(type, schema, path, problems);
    }
}
