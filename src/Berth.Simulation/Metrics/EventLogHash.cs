namespace Berth.Simulation.Metrics;

/// <summary>
/// A running 64-bit FNV-1a hash of a simulation's decisions (pod, node, GPUs, outcome). Two runs with the
/// same input and seed must give the same hash: tests pin it to catch any loss of determinism.
/// </summary>
public sealed class EventLogHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;
    private ulong _hash = Offset;

    public void Add(long value)
    {
        for (var i = 0; i < 8; i++)
        {
            _hash ^= (byte)(value >> (8 * i));
            _hash *= Prime;
        }
    }

    public string Value => _hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
