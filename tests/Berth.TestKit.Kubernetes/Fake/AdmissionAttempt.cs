using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// A write as an admission webhook registered for it would see it: the verb (create, update, patch, delete), the
/// resource as in <see cref="FakeApiServer.FailNext"/> (<c>jobs</c>, <c>jobs/status</c>, <c>pods/binding</c>), the
/// namespace and name (null for a create by collection), and the request body (for a patch: the patch, not the
/// patched object; for a create or update: the object sent).
/// </summary>
public sealed record AdmissionAttempt(string Verb, string Resource, string? Namespace, string? Name, JsonNode? Body);
