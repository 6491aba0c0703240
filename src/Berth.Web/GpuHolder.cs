namespace Berth.Web;

/// <summary>A pod that holds (a share of) a GPU.</summary>
public sealed record GpuHolder(string Job, string Pod, double Share);
