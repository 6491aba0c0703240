using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Views;

/// <summary>JSON of the views: camelCase, enums as names, nulls left out.</summary>
internal static class ViewJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}
