namespace Berth.Simulation.Reports;

/// <summary>One trace as the report describes it: where its cluster and workload came from and how large they are.</summary>
public sealed record ReportInput(string Trace, string Cluster, string Workload, int Nodes, int Gpus, int Pods);
