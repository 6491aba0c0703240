namespace Berth.Simulation.Replay;

/// <summary>What happens at a replay event. The numeric order is the order at equal times.</summary>
internal enum ReplayEventKind
{
    Departure = 0,
    Arrival = 1,
}
