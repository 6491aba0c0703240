using System.Globalization;
using System.Net;

namespace Berth.Kubernetes.E2E;

/// <summary>The operator's HTTP endpoint: probes and Prometheus metrics that follow the cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MetricsTests(ClusterFixture cluster)
{
    private static readonly string[] Families =
    [
        "berth_pending_workloads", "berth_admitted_workloads", "berth_quota_usage", "berth_quota_nominal", "berth_gpu_allocation_ratio",
        "berth_gpu_fragmentation_ratio", "berth_unhealthy_gpus", "berth_evictions_total", "berth_pods_bound_total", "berth_admissions_total",
        "berth_admission_wait_seconds", "berth_decision_latency_seconds", "berth_leader",
    ];

    [ClusterFact]
    public async Task Metrics_WhileLeading_AnswersWithEveryFamilyAndTheNewQueuesQuota()
    {
        await using var s = await ClusterScenario.StartAsync(cluster, "metrics");
        var flavor = await s.CreateAsync(E2EObjects.Flavor(s, "a100", ClusterEnvironment.A100));
        var queue = await s.CreateAsync(E2EObjects.Queue(s, "queue", flavor.Metadata.Name, "3"));
        using var http = new HttpClient { BaseAddress = cluster.Operator.ProbeAddress, Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        // /metrics is HTTPS behind TokenReview and SubjectAccessReview: no token, no metrics (the exposition is read in process below).
        using var https = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = cluster.Operator.MetricsAddress, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await https.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        var series = $"berth_quota_nominal{{flavor=\"{flavor.Metadata.Name}\",queue=\"{queue.Metadata.Name}\",resource=\"gpu\"}} ";
        var text = string.Empty;
        var metrics = await s.EventuallyAsync($"/metrics shows {series.Trim()}", () =>
        {
            text = cluster.Operator.Metrics.Render();
            return Task.FromResult(text.Contains(series, StringComparison.Ordinal) ? text : null);
        }, () => text);

        Assert.All(Families, f => Assert.Contains($"# TYPE {f} ", metrics, StringComparison.Ordinal));
        Assert.Contains("\nberth_leader 1\n", metrics, StringComparison.Ordinal);
        var line = metrics.Split('\n').Single(l => l.StartsWith(series, StringComparison.Ordinal));
        Assert.Equal(3, double.Parse(line[series.Length..], CultureInfo.InvariantCulture));
        Assert.Matches(@"\nberth_decision_latency_seconds_count [1-9]", metrics);
    }
}
