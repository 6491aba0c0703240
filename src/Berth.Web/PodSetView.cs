namespace Berth.Web;

/// <summary>One pod set of a job as asked for: pods (and the fewest it may run with), GPUs per pod or a share of one, CPU and memory per pod.</summary>
public sealed record PodSetView(string Name, int Count, int? MinCount, int Gpus, double? GpuShare, double Cpu, double MemoryGiB);
