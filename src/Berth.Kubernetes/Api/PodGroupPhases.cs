namespace Berth.Kubernetes.Api;

/// <summary>The values of <c>PodGroup.status.phase</c>.</summary>
public static class PodGroupPhases
{
    public const string Pending = "Pending";
    public const string Admitted = "Admitted";
    public const string Running = "Running";
    public const string Finished = "Finished";
    public const string Failed = "Failed";

    public static IReadOnlyList<string> All { get; } = [Pending, Admitted, Running, Finished, Failed];
}
