using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks;

/// <summary>
/// One pod set of a framework object, as its spec describes it: <paramref name="Count"/> pods of
/// <paramref name="Template"/> (a pod template: <c>metadata</c> and <c>spec</c>), all of them together.
/// <paramref name="Field"/> names where the template is, for messages; <paramref name="TemplatePath"/> is
/// that place from the object's root, where admission writes the flavor's node selector and tolerations
/// (null when the framework keeps its templates elsewhere).
/// </summary>
public sealed record FrameworkPodSet(string Name, int Count, string Field, JsonObject? Template, IReadOnlyList<object>? TemplatePath);
