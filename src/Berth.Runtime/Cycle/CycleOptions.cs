using Berth.Engine.Admission;

namespace Berth.Runtime.Cycle;

/// <summary>How a cycle decides: the admission options of its profile, and the pods-ready timeout (null: off).</summary>
public sealed record CycleOptions(AdmissionOptions Admission, TimeSpan? PodsReadyTimeout);
