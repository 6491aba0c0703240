namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>One successful <c>pods/{name}/binding</c> POST: the pod <paramref name="Pod"/> in <paramref name="Namespace"/> went to <paramref name="Node"/>.</summary>
public sealed record BindingRecord(string Namespace, string Pod, string Node);
