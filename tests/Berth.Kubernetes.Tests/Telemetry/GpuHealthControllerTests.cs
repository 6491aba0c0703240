using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Telemetry;
using Berth.Kubernetes.Tests.Controller;
using Berth.TestKit;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Telemetry;

/// <summary>The controller acting on DCGM health: the GPUs of a node turn unhealthy, its Job is suspended again and the node gets an Event.</summary>
public sealed class GpuHealthControllerTests
{
    private const string Xid = "DCGM_FI_DEV_XID_ERRORS";

    private static string AllGpus(string value, DateTimeOffset at) =>
        CannedPrometheus.Health(Enumerable.Range(0, 8).Select(g => (Xid, "node-00", g, value, at)).ToArray());

    public static TheoryData<string> Readings => ["XID 79 on every GPU", "health read fails", "stale series", "malformed answer"];

    [Theory]
    [MemberData(nameof(Readings))]
    public async Task Cycle_UnhealthyGpusFromTelemetry_SuspendTheirJob_BadTelemetryNever(string reading)
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus { Body = CannedPrometheus.Vector(), HealthBody = AllGpus("0", time.GetUtcNow()) };
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090") };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, null);
        await using var h = await ControllerHarness.StartAsync(time: time, telemetry: telemetry);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Objects.Job("train", 1, 1, "team-a", ns: "ml"));
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.Single((await h.CycleAsync()).JobAdmissions);
        await h.ActAsJobControllerAsync();
        Assert.Empty((await h.CycleAsync()).Suspensions);

        time.Advance(30);
        switch (reading)
        {
            case "XID 79 on every GPU":
                prometheus.HealthBody = AllGpus("79", time.GetUtcNow());
                break;
            case "health read fails":
                prometheus.Status = System.Net.HttpStatusCode.ServiceUnavailable;
                break;
            case "stale series":
                prometheus.HealthBody = AllGpus("79", time.GetUtcNow() - TimeSpan.FromMinutes(10));
                break;
            default:
                prometheus.HealthBody = "{\"status\":\"success\"}";
                break;
        }

        await telemetry.RefreshAsync(CancellationToken.None);
        var plan = await h.CycleAsync();

        if (reading == "XID 79 on every GPU")
        {
            Assert.Equal("train", Assert.Single(plan.Suspensions).Name);
            var events = await h.Client.CoreV1.ListNamespacedEventAsync("default");
            var unhealthy = events.Items.Where(e => e.Reason == KubernetesNames.GpuUnhealthyReason && e.InvolvedObject.Kind == "Node" && e.InvolvedObject.Name == "node-00").ToArray();
            Assert.Equal(8, unhealthy.Length);
            Assert.Contains(unhealthy, e => e.Message.StartsWith("GPU 0 unhealthy (DCGM_FI_DEV_XID_ERRORS 79)", StringComparison.Ordinal));
            Assert.Equal(8, (await h.CycleAsync()).UnhealthyGpus);
            var condition = Assert.Single(h.Server.Get<k8s.Models.V1Node>("node-00")!.Status.Conditions, c => c.Type == KubernetesNames.GpuHealthCondition);
            Assert.Equal(("False", KubernetesNames.GpuUnhealthyReason), (condition.Status, condition.Reason));
            Assert.StartsWith("GPUs 0,1,2,3,4,5,6,7 unhealthy", condition.Message, StringComparison.Ordinal);
            Assert.Empty((await h.CycleAsync()).NodeConditions); // written once

            // Ten clean readings: back in service, and the condition says so.
            prometheus.HealthBody = AllGpus("79", time.GetUtcNow());
            for (var i = 0; i < options.RecoverAfter; i++)
            {
                await telemetry.RefreshAsync(CancellationToken.None);
            }

            Assert.True(Assert.Single((await h.CycleAsync()).NodeConditions).Healthy);
            Assert.Equal("True", h.Server.Get<k8s.Models.V1Node>("node-00")!.Status.Conditions.Single(c => c.Type == KubernetesNames.GpuHealthCondition).Status);
        }
        else
        {
            Assert.Empty(plan.Suspensions);
            Assert.Empty(plan.Evictions);
            Assert.Equal(0, plan.UnhealthyGpus);
            Assert.Empty(plan.NodeConditions);
        }
    }
}
