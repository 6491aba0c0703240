namespace Berth.Runtime.Plan;

/// <summary>Quota usage and nominal quota of one queue, flavor and resource (GPU in GPUs, CPU in cores, memory in bytes).</summary>
public sealed record QuotaGauge(string Queue, string Flavor, string Resource, double Used, double Nominal);
