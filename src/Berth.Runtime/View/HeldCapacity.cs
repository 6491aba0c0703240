using Berth.Model;

namespace Berth.Runtime.View;

/// <summary>
/// A bound pod Berth does not account for as part of a running workload: <see cref="Request"/> on node
/// <see cref="Node"/>, on the GPUs of <see cref="GpuMask"/> (null: none named). <see cref="Leaving"/>: it is being
/// deleted (no warning when it does not fit).
/// </summary>
public sealed record HeldCapacity(string Key, string Node, Pod Request, int? GpuMask, bool Leaving);
