namespace Berth.Model.Queueing;

/// <summary>A named priority (Kubernetes PriorityClass); higher values go first. Preemptible is separate from priority (KAI).</summary>
public sealed record PriorityClass(string Name, int Value)
{
    public bool Preemptible { get; init; } = true;
}
