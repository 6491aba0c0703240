using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>
/// Reads a quantity field that the CRD declares <c>x-kubernetes-int-or-string</c> (<c>8</c> or <c>"500m"</c>)
/// as its text, so that a bad value reaches the translator (which reports it on the object's condition)
/// instead of failing the whole object's deserialisation. Writes it back as a string.
/// </summary>
internal sealed class QuantityJsonConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
        _ => throw new JsonException($"a quantity must be a number or a string such as \"500m\" or \"16Gi\", not {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
