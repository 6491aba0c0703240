using Berth.Engine.Admission;
using Berth.Runtime.Plan;

namespace Berth.Runtime.Loop;

/// <summary>
/// What one <see cref="WorkloadLoop.Cycle"/> decided: <see cref="Steps"/> in the order a driver must act on them (the
/// backoffs its inputs caused, then one step per engine event other than a change of pending reason, in the engine's order), and the engine's
/// <see cref="Events"/> themselves, which a driver logs or hashes.
/// </summary>
public sealed record LoopOutcome(IReadOnlyList<PlanStep> Steps, IReadOnlyList<AdmissionEvent> Events);
