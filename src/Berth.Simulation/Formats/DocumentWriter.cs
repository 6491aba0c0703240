using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Berth.Simulation.Formats;

/// <summary>
/// Writes a small ordered document tree as YAML or JSON. Values are <see cref="string"/>, <see cref="long"/>,
/// <see cref="OrderedMap"/> or <see cref="List{T}"/> of values; fields keep the order they were added in,
/// so the same input always gives the same bytes.
/// </summary>
internal static partial class DocumentWriter
{
    public static void Write(string path, OrderedMap root)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var text = YamlSource.IsJson(path) ? ToJson(root) : ToYaml(root);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    public static string ToYaml(OrderedMap root)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, bestIndent: 2, bestWidth: int.MaxValue);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        EmitYaml(emitter, root);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    public static string ToJson(OrderedMap root)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            EmitJson(json, root);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void EmitYaml(IEmitter emitter, object value)
    {
        switch (value)
        {
            case OrderedMap map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
                foreach (var (key, item) in map.Fields)
                {
                    EmitYaml(emitter, key);
                    EmitYaml(emitter, item);
                }

                emitter.Emit(new MappingEnd());
                break;
            case List<object> list:
                var flow = list.All(x => x is string or long);
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, flow ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list)
                {
                    EmitYaml(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case long number:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, number.ToString(CultureInfo.InvariantCulture), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case bool flag:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, flag ? "true" : "false", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case string text:
                var style = IsPlainSafe(text) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, isPlainImplicit: true, isQuotedImplicit: true));
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name}");
        }
    }

    private static void EmitJson(Utf8JsonWriter json, object value)
    {
        switch (value)
        {
            case OrderedMap map:
                json.WriteStartObject();
                foreach (var (key, item) in map.Fields)
                {
                    json.WritePropertyName(key);
                    EmitJson(json, item);
                }

                json.WriteEndObject();
                break;
            case List<object> list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    EmitJson(json, item);
                }

                json.WriteEndArray();
                break;
            case long number:
                json.WriteNumberValue(number);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name}");
        }
    }

    /// <summary>True when the text reads back as the same string unquoted and is not a YAML number (it starts with a letter), boolean or null.</summary>
    private static bool IsPlainSafe(string text) =>
        SafePlain().IsMatch(text)
        && !ReservedWords.Contains(text.ToUpperInvariant());

    private static readonly HashSet<string> ReservedWords = new(StringComparer.Ordinal)
    {
        "TRUE", "FALSE", "YES", "NO", "ON", "OFF", "Y", "N", "NULL", "NAN", ".NAN", ".INF", "-.INF",
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_./-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafePlain();
}
