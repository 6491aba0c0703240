using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks;

/// <summary>
/// One pod set of a framework object, as its spec describes it: <paramref name="Count"/> pods of
/// <paramref name="Template"/> (a pod template: <c>metadata</c> and <c>spec</c>), at least
/// <paramref name="MinCount"/> of them together when the framework lets it run with fewer (null: all).
/// <paramref name="Field"/> names where the template is, for messages; <paramref name="TemplatePath"/> is
/// that place from the object's root, where admission writes the flavor's node selector and tolerations
/// (null when the framework keeps its templates elsewhere).
/// </summary>
public sealed record FrameworkPodSet(string Name, int Count, int? MinCount, string Field, JsonObject? Template, IReadOnlyList<object>? TemplatePath);
