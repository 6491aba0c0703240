using Berth.Kubernetes.Api;
using Berth.Kubernetes.Operator;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>Every request the operator makes in a busy run is one deploy/rbac.yaml grants: the manifests cannot fall behind the code.</summary>
public sealed class RbacCoverageTests
{
    private static readonly Dictionary<string, string> Groups = new(StringComparer.Ordinal)
    {
        ["nodes"] = "", ["pods"] = "", ["events"] = "", ["namespaces"] = "",
        ["jobs"] = "batch", ["priorityclasses"] = "scheduling.k8s.io", ["poddisruptionbudgets"] = "policy", ["leases"] = "coordination.k8s.io",
        ["queues"] = KubernetesNames.Group, ["cohorts"] = KubernetesNames.Group, ["flavors"] = KubernetesNames.Group, ["podgroups"] = KubernetesNames.Group,
    };

    [Fact]
    public async Task OperatorRequests_InABusyRun_AreAllGrantedByTheManifests()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Objects.Cohort("research"));
        h.SeedCluster(2, 8,
            Objects.Queue("team-a", "a100", "8", cohort: "research", borrowingLimit: "8"),
            Objects.Queue("team-b", "a100", "8", cohort: "research", reclaim: "Any"),
            Objects.Queue("broken", "a100", "-1"));
        h.Server.Seed(Objects.Group("train", 2, "team-a"));
        h.Server.Seed(Objects.Pod("train-0", gpus: 4, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 4, group: "train"));
        h.Server.Seed(Objects.Pod("lone", gpus: 8, queue: "team-a"));
        h.Server.Seed(Objects.Pod("never", gpus: 64, queue: "team-a"));
        await h.RunUntilQuietAsync();
        await h.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("reclaimer", 1, 8, "team-b"), "default");
        await h.RunUntilQuietAsync(); // also: a status field the planner clears is cleared on the server (else it rewrites forever)

        // Leader election, with the operator's own host.
        await using (var host = OperatorHost.Create(new OperatorSettings { Identity = "rbac", LeaderElect = true, MetricsPort = 0, ListenAddress = "127.0.0.1", LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromSeconds(1.5), RetryPeriod = TimeSpan.FromMilliseconds(200) }, h.Server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance))
        {
            await host.StartAsync();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!host.Controller.IsLeader && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(host.Controller.IsLeader);
        }

        var requested = h.Server.Requested().Where(r => r.Verb != "delete" || !r.Resource.StartsWith("pods", StringComparison.Ordinal)).ToArray();
        var manifests = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Api.Repository.Root, "deploy", "rbac.yaml")), CustomResourceDefinitions.Types.ToDictionary(), strict: true);
        var rules = manifests.OfType<V1ClusterRole>().SelectMany(r => r.Rules).Concat(manifests.OfType<V1Role>().SelectMany(r => r.Rules)).ToArray();

        // The requests the run must have made (so this test checks something), then that each is granted.
        foreach (var expected in new[] { ("create", "pods/binding"), ("create", "pods/eviction"), ("patch", "pods/status"), ("update", "jobs"), ("create", "events"), ("patch", "podgroups"), ("patch", "podgroups/status"), ("patch", "queues/status"), ("list", "nodes"), ("watch", "pods"), ("create", "leases") })
        {
            Assert.Contains(expected, requested);
        }

        var operatorRequests = requested.Where(r => !TestOnly(r)).ToArray();
        Assert.All(operatorRequests, r => Assert.True(
            rules.Any(rule => rule.ApiGroups.Contains(Groups[r.Resource.Split('/')[0]]) && rule.Resources.Contains(r.Resource) && rule.Verbs.Contains(r.Verb)),
            $"deploy/rbac.yaml does not grant {r.Verb} on {Groups[r.Resource.Split('/')[0]]}/{r.Resource}, which the operator uses"));
    }

    /// <summary>Requests the test itself makes (creating Jobs through the client); everything else is the operator's.</summary>
    private static bool TestOnly((string Verb, string Resource) request) => request is ("create", "jobs");
}
