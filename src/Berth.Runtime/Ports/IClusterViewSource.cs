using Berth.Runtime.View;

namespace Berth.Runtime.Ports;

/// <summary>Where a driver's cluster comes from: one consistent <see cref="ClusterView"/> per cycle (the Kubernetes cache, a snapshot, a store).</summary>
public interface IClusterViewSource
{
    ClusterView Current();
}
