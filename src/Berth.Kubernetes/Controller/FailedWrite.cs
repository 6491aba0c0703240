namespace Berth.Kubernetes.Controller;

/// <summary>One action of a plan the API server did not carry out: the object's backoff key, the write in words, the HTTP status (null: no answer) and whether it counts as refused for good.</summary>
public sealed record FailedWrite(string Key, string What, int? StatusCode, bool Permanent);
