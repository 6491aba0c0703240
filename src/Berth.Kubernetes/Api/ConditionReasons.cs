namespace Berth.Kubernetes.Api;

/// <summary>The reasons of the <c>Ready</c> condition the translators give (<c>Translation.ObjectVerdict.Reason</c>).</summary>
public static class ConditionReasons
{
    /// <summary>The object is valid and part of the configuration.</summary>
    public const string Valid = "Valid";

    /// <summary>A field is missing, malformed or out of range; the message names it and the fix.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>A queue's cohort or a cohort's parent does not exist.</summary>
    public const string UnknownCohort = "UnknownCohort";

    /// <summary>The cohort exists but is not Ready (invalid itself, or under one that is).</summary>
    public const string CohortNotReady = "CohortNotReady";

    /// <summary>The cohort's parent chain loops back to itself.</summary>
    public const string CohortCycle = "CohortCycle";

    /// <summary>A flavor named in a quota does not exist.</summary>
    public const string UnknownFlavor = "UnknownFlavor";

    /// <summary>A flavor named in a quota exists but is not Ready.</summary>
    public const string FlavorNotReady = "FlavorNotReady";

    /// <summary>Two objects of one kind share a name (only possible in hand-made input); the later one is left out.</summary>
    public const string DuplicateName = "DuplicateName";

    /// <summary>A workload names a PriorityClass that does not exist.</summary>
    public const string UnknownPriorityClass = "UnknownPriorityClass";

    /// <summary>A workload has no queue.</summary>
    public const string NoQueue = "NoQueue";

    /// <summary>A pod group has fewer live members than its minMember; it waits for the rest to be created.</summary>
    public const string WaitingForMembers = "WaitingForMembers";
}
