using Berth.Runtime.Plan;

namespace Berth.Runtime.Ports;

/// <summary>Where a plan goes: a driver renders each step as its own writes (API calls, store rows, simulated events).</summary>
public interface IPlanWriter
{
    Task WriteAsync(CyclePlan plan, CancellationToken cancellationToken);
}
