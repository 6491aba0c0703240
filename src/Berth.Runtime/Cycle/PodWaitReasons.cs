namespace Berth.Runtime.Cycle;

/// <summary>Codes of a cycle's own reasons, beside the engine's pending reason codes.</summary>
public static class PodWaitReasons
{
    /// <summary>A pod of an elastic group beyond the count it was admitted with.</summary>
    public const string BeyondAdmittedCount = "BeyondAdmittedCount";

    /// <summary>The pods of an admitted workload whose nodes are still being freed.</summary>
    public const string WaitingForNodes = "WaitingForPreemptedPods";

    /// <summary>A group whose admission was taken back while its pods still run (they are evicted again).</summary>
    public const string Evicting = "Evicting";
}
