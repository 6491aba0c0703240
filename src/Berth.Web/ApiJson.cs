using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Web;

/// <summary>
/// JSON as the API reads and writes it: camelCase, enums by name. Requests refuse unknown fields (a misspelt
/// <c>gpu</c> for <c>gpus</c> is an error, never a job that silently asks for nothing).
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Requests = Make(strict: true);

    public static readonly JsonSerializerOptions Responses = Make(strict: false);

    private static JsonSerializerOptions Make(bool strict)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            MaxDepth = 16,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
