using Berth.Engine.Admission;

namespace Berth.Runtime.Plan;

/// <summary>
/// Everything one cycle decided, as values, in the order a driver must act: <see cref="Steps"/> (requeues before
/// the admissions they make room for), the warnings, and the gauges. Planning is pure; writing is the driver's.
/// </summary>
public sealed class CyclePlan
{
    public List<PlanStep> Steps { get; } = [];

    /// <summary>Things in the cluster the cycle could not account for (shown in logs; never stop a cycle).</summary>
    public List<string> Warnings { get; } = [];

    public List<QuotaGauge> Quota { get; } = [];

    public double GpuAllocationRatio { get; set; }

    public double GpuFragmentationRatio { get; set; }

    public int UnhealthyGpus { get; set; }

    /// <summary>Usable GPUs (healthy, on nodes that take work): the denominator of allocation and of yield (used / capacity).</summary>
    public double GpuCapacity { get; set; }

    /// <summary>The engine the plan came from (for what-if, status and tests).</summary>
    public required AdmissionScheduler Engine { get; init; }
}
