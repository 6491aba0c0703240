namespace Berth.Kubernetes.Controller;

/// <summary>
/// One failed write as <see cref="ActionBackoff"/> counts it: the failures in a row on that object, how long the
/// object now waits, whether the API server refused for good (see <see cref="ActionBackoff"/>), and whether this
/// failure is the one that made it so (reported once on the workload).
/// </summary>
public readonly record struct WriteFailure(int Failures, TimeSpan Delay, bool Permanent, bool NewlyPermanent);
