using System.Globalization;
using System.Text;
using System.Text.Json;
using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Snapshots;

/// <summary>
/// The file <c>berth snapshot</c> writes and <c>berth simulate --snapshot</c> reads: one JSON object with
/// <c>kind: BerthClusterSnapshot</c>, a <c>formatVersion</c>, the capture time, where it was taken, and every
/// object Berth reads, each serialised exactly as the API server sends it (KubernetesJson). See docs/FORMATS.md.
/// </summary>
public static class SnapshotFile
{
    public const string Kind = "BerthClusterSnapshot";

    /// <summary>The version this build writes and the newest it reads. Bump it when a field changes meaning.</summary>
    public const int FormatVersion = 1;

    public static void Write(string path, ClusterSnapshot snapshot, SnapshotSource source)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Write(stream, snapshot, source);
    }

    /// <summary>Writes the file: a few header fields, then each list with one object per line (easy to diff and to grep).</summary>
    public static void Write(Stream stream, ClusterSnapshot snapshot, SnapshotSource source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(source);
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine("{");
        writer.WriteLine($"  \"kind\": {Quote(Kind)},");
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"formatVersion\": {FormatVersion},"));
        writer.WriteLine($"  \"capturedAt\": {Quote(snapshot.Now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))},");
        var fields = new[] { ("server", source.Server), ("context", source.Context), ("berthVersion", source.BerthVersion) }.Where(f => f.Item2 is not null).Select(f => $"{Quote(f.Item1)}: {Quote(f.Item2!)}");
        writer.WriteLine($"  \"source\": {{{string.Join(", ", fields)}}},");
        writer.WriteLine($"  \"warnings\": [{string.Join(", ", source.Warnings.Select(Quote))}],");
        WriteList(writer, "nodes", snapshot.Nodes, last: false);
        WriteList(writer, "pods", snapshot.Pods, last: false);
        WriteList(writer, "jobs", snapshot.Jobs, last: false);
        WriteList(writer, "priorityClasses", snapshot.PriorityClasses, last: false);
        WriteList(writer, "queues", snapshot.Queues, last: false);
        WriteList(writer, "cohorts", snapshot.Cohorts, last: false);
        WriteList(writer, "flavors", snapshot.Flavors, last: false);
        WriteList(writer, "podGroups", snapshot.PodGroups, last: false);
        WriteList(writer, "frameworks", snapshot.Frameworks, last: true);
        writer.WriteLine("}");
    }

    /// <summary>
    /// Reads a snapshot file. Throws <see cref="SnapshotFileException"/> naming the file and the field when it is missing,
    /// not JSON, not a Berth snapshot, of a newer format, or holds an object that does not parse.
    /// </summary>
    public static (ClusterSnapshot Snapshot, SnapshotSource Source) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SnapshotFileException(path, 0, string.Empty, "file not found; write one with 'berth snapshot -o FILE'");
        }

        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new SnapshotFileException(path, (int)(e.LineNumber ?? -1) + 1, string.Empty, $"not a JSON file ({FirstSentence(e.Message)}); a snapshot is the JSON 'berth snapshot' writes");
        }

        using (document)
        {
            return Read(path, document.RootElement);
        }
    }

    private static (ClusterSnapshot, SnapshotSource) Read(string path, JsonElement root)
    {
        SnapshotFileException Error(string field, string problem) => new(path, 0, field, problem);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Error(string.Empty, $"the file holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object; a snapshot is the JSON object 'berth snapshot' writes");
        }

        var kind = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        if (kind != Kind)
        {
            var found = kind is null ? "has no kind" : $"is of kind '{kind}'";
            throw Error("kind", $"the file {found}, not a Berth cluster snapshot ({Kind}); write one with 'berth snapshot -o FILE' (scenario files go to --scenario)");
        }

        if (!root.TryGetProperty("formatVersion", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version < 1)
        {
            throw Error("formatVersion", $"missing or not a positive whole number; this berth reads format version {FormatVersion}");
        }

        if (version > FormatVersion)
        {
            throw Error("formatVersion", $"version {version} is newer than this berth reads ({FormatVersion}); use the berth version that wrote it, or a newer one");
        }

        if (!root.TryGetProperty("capturedAt", out var at) || at.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var capturedAt))
        {
            throw Error("capturedAt", "missing or not a time; give the capture time as RFC 3339, e.g. 2026-11-23T10:00:00Z");
        }

        var source = new SnapshotSource();
        if (root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object)
        {
            source = new SnapshotSource
            {
                Server = OptionalString(s, "server"),
                Context = OptionalString(s, "context"),
                BerthVersion = OptionalString(s, "berthVersion"),
            };
        }

        if (root.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array)
        {
            source = source with { Warnings = w.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray() };
        }

        var snapshot = new ClusterSnapshot
        {
            Now = capturedAt,
            Nodes = ReadList<V1Node>(path, root, "nodes"),
            Pods = ReadList<V1Pod>(path, root, "pods"),
            Jobs = ReadList<V1Job>(path, root, "jobs"),
            PriorityClasses = ReadList<V1PriorityClass>(path, root, "priorityClasses"),
            Queues = ReadList<Api.Queue>(path, root, "queues"),
            Cohorts = ReadList<Api.Cohort>(path, root, "cohorts"),
            Flavors = ReadList<Api.Flavor>(path, root, "flavors"),
            PodGroups = ReadList<Api.PodGroup>(path, root, "podGroups"),
            Frameworks = ReadList<Frameworks.FrameworkObject>(path, root, "frameworks"),
        };
        return (snapshot, source);
    }

    private static List<T> ReadList<T>(string path, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new SnapshotFileException(path, 0, field, $"a {array.ValueKind.ToString().ToLowerInvariant()}, not a list; give a list of objects (or leave the field out)");
        }

        var items = new List<T>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new SnapshotFileException(path, 0, $"{field}[{i}]", $"a {item.ValueKind.ToString().ToLowerInvariant()}, not an object");
            }

            try
            {
                items.Add(KubernetesJson.Deserialize<T>(item.GetRawText()));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new SnapshotFileException(path, 0, $"{field}[{i}]", $"does not parse as a {typeof(T).Name}: {FirstSentence(e.Message)}");
            }

            i++;
        }

        return items;
    }

    private static void WriteList<T>(StreamWriter writer, string field, IReadOnlyList<T> items, bool last)
    {
        writer.Write($"  {Quote(field)}: [");
        for (var i = 0; i < items.Count; i++)
        {
            writer.Write(i == 0 ? "\n    " : ",\n    ");
            writer.Write(KubernetesJson.Serialize(items[i]));
        }

        writer.WriteLine(items.Count == 0 ? (last ? "]" : "],") : (last ? "\n  ]" : "\n  ],"));
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string FirstSentence(string message) => message.Split('\n')[0].Trim().TrimEnd('.');
}
