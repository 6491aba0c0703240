using Berth.Kubernetes.Controller;
using Berth.Web;

namespace Berth.Kubernetes.Views;

/// <summary>A workload in a <see cref="ClusterPicture"/>: its view, its namespace (scopes filter on it) and the decision's outcome it comes from.</summary>
internal sealed record JobEntry(JobView View, string Namespace, WorkloadOutcome Outcome);
