using Berth.Kubernetes.Api;
using Berth.Kubernetes.Operator;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// Least privilege both ways (issue 12, finding 5): every request the operator makes in a busy run is one
/// deploy/rbac.yaml and the Helm chart grant (the manifests cannot fall behind the code), and every grant there is
/// used by some request of that run (no grant outlives the code that needed it).
/// </summary>
public sealed class RbacCoverageTests
{
    private static readonly Dictionary<string, string> Groups = new(StringComparer.Ordinal)
    {
        ["nodes"] = "", ["pods"] = "", ["events"] = "", ["namespaces"] = "",
        ["jobs"] = "batch", ["priorityclasses"] = "scheduling.k8s.io", ["poddisruptionbudgets"] = "policy", ["leases"] = "coordination.k8s.io",
        ["queues"] = KubernetesNames.Group, ["cohorts"] = KubernetesNames.Group, ["flavors"] = KubernetesNames.Group, ["podgroups"] = KubernetesNames.Group,
        ["secrets"] = "", ["configmaps"] = "", ["tokenreviews"] = "authentication.k8s.io", ["subjectaccessreviews"] = "authorization.k8s.io",
        ["mutatingwebhookconfigurations"] = "admissionregistration.k8s.io", ["validatingwebhookconfigurations"] = "admissionregistration.k8s.io",
        ["podtemplates"] = "", ["provisioningrequests"] = "autoscaling.x-k8s.io",
        ["jobsets"] = "jobset.x-k8s.io", ["trainjobs"] = "trainer.kubeflow.org", ["pytorchjobs"] = "kubeflow.org", ["rayjobs"] = "ray.io", ["rayclusters"] = "ray.io",
        ["leaderworkersets"] = "leaderworkerset.x-k8s.io",
        ["resourceslices"] = "resource.k8s.io", ["deviceclasses"] = "resource.k8s.io", ["resourceclaims"] = "resource.k8s.io", ["resourceclaimtemplates"] = "resource.k8s.io",
    };

    [Fact]
    public async Task OperatorRequests_InABusyRun_AreAllGrantedByTheManifests()
    {
        // GPU health from telemetry (a canned Prometheus: clean at first, GPU 0 of node-00 reports XID 79 at the end).
        var prometheus = new Berth.Kubernetes.Tests.Telemetry.CannedPrometheus { Body = Berth.Kubernetes.Tests.Telemetry.CannedPrometheus.Vector(), HealthBody = Berth.Kubernetes.Tests.Telemetry.CannedPrometheus.Health(("DCGM_FI_DEV_XID_ERRORS", "node-00", 0, "0", DateTimeOffset.UtcNow)) };
        var telemetryOptions = new Berth.Kubernetes.Telemetry.TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090") };
        var telemetry = new Berth.Kubernetes.Telemetry.GpuTelemetry(new Berth.Kubernetes.Telemetry.PrometheusReader(new HttpClient(prometheus), telemetryOptions, TimeProvider.System), telemetryOptions, TimeProvider.System, NullLogger.Instance, null);
        await telemetry.RefreshAsync(CancellationToken.None);
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = [.. FakeApiServerOptions.BerthResources, .. FakeApiServerOptions.FrameworkResources] });

        // Showback writes its totals at every decision here (create, then update), as it does every minute in a cluster.
        await using var h = await ControllerHarness.StartAsync(new Berth.Kubernetes.Controller.ControllerOptions { UsageFlushInterval = TimeSpan.Zero }, server: server, telemetry: telemetry);
        h.Server.Seed(Objects.Cohort("research"));
        h.SeedCluster(2, 8,
            Objects.Queue("team-a", "a100", "8", cohort: "research", borrowingLimit: "8"),
            Objects.Queue("team-b", "a100", "8", cohort: "research", reclaim: "Any"),
            Objects.Queue("broken", "a100", "-1"),
            Objects.Queue("frameworks", "a100", "1"));
        h.Server.Seed(Objects.Group("train", 2, "team-a"));
        h.Server.Seed(Objects.Pod("train-0", gpus: 4, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 4, group: "train"));
        h.Server.Seed(Objects.Pod("lone", gpus: 8, queue: "team-a"));
        h.Server.Seed(Objects.Pod("never", gpus: 64, queue: "team-a"));
        foreach (var kind in new[] { "JobSet", "TrainJob", "PyTorchJob", "RayJob", "RayCluster" })
        {
            h.Server.Seed(FrameworkSamples.Build(kind, kind.ToLowerInvariant(), "frameworks", workers: 1, gpus: 2)); // too big for its queue: a pending reason on it (get, update)
        }

        var serving = FrameworkSamples.LeaderWorkerSet("serving", "frameworks", replicas: 1, size: 2, gpus: 1, scheduler: "default-scheduler");
        h.Server.Seed(serving); // its pods are not Berth's to hold: a pending reason on it (get, update)

        // A pod with a DRA claim from a template: the claim is made, allocated and reserved, then the pod bound.
        h.Server.Seed(Dra.DraSamples.GpuClass());
        h.Server.Seed(Dra.DraSamples.Slice("node-01", Dra.DraSamples.H100));
        h.Server.Seed(Dra.DraSamples.Template("one-h100", 1, Dra.DraSamples.IsH100));
        h.Server.Seed(Dra.DraSamples.PodWithTemplate("dra", "one-h100"));
        await h.RunUntilQuietAsync();
        await h.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("reclaimer", 1, 8, "team-b"), "default");
        await h.RunUntilQuietAsync(); // also: a status field the planner clears is cleared on the server (else it rewrites forever)

        // A Job created running, whose suspension an admission webhook denies: the refusal is marked on the Job (jobs/status).
        using (h.Server.AddAdmissionWebhook(a => a is { Verb: "update", Resource: "jobs", Name: "frozen" } ? new Berth.TestKit.Kubernetes.Fake.WebhookDenial("jobs.policy.example.com", "frozen") : null))
        {
            await h.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("frozen", 1, 1, "team-a", suspend: false), "default");
            await h.CycleAsync();
        }

        // A GPU turns unhealthy: Berth's condition on its node (nodes/status).
        prometheus.HealthBody = Berth.Kubernetes.Tests.Telemetry.CannedPrometheus.Health(("DCGM_FI_DEV_XID_ERRORS", "node-00", 0, "79", DateTimeOffset.UtcNow));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();

        // The provisioning check: a request for a gang no node fits, the autoscaler provisions an H100 node, the pods get
        // the request's annotations and start; then the gang is deleted and its request goes.
        h.Server.Seed(new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "gpu-capacity", NamespaceProperty = "berth-system", Labels = new Dictionary<string, string> { [Berth.Kubernetes.Provisioning.ProvisioningConfig.CheckLabel] = Berth.Kubernetes.Provisioning.ProvisioningConfig.ControllerName } }, Data = new Dictionary<string, string> { ["provisioningClassName"] = "check-capacity.autoscaling.x-k8s.io" } });
        h.Server.Seed(Objects.Flavor("h100", "h100"));
        var gated = Objects.Queue("gated", "h100", "16");
        h.Server.Seed(gated with { Spec = gated.Spec with { AdmissionChecks = ["gpu-capacity"] } });
        h.Server.Seed(Objects.Group("big", 1, "gated"));
        h.Server.Seed(Objects.Pod("big-0", gpus: 16, group: "big"));
        await h.CycleAsync();
        var provisioned = new { status = new { conditions = new[] { new { type = "Provisioned", status = "True", reason = "Provisioned", message = "capacity is available", lastTransitionTime = "2024-01-01T00:00:00Z" } } } };
        await h.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(System.Text.Json.JsonSerializer.Serialize(provisioned), V1Patch.PatchType.MergePatch), "autoscaling.x-k8s.io", "v1", "default", "provisioningrequests", "big-gpu-capacity-1");
        h.Server.Seed(Objects.GpuNode("scaled-0", 16, pool: "h100"));
        for (var i = 0; i < 4; i++)
        {
            await h.CycleAsync();
        }

        Assert.Equal("scaled-0", h.ReadPod("big-0").Spec.NodeName);
        await h.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(KubernetesNames.Group, KubernetesNames.Version, "default", PodGroup.KubePluralName, "big");
        await h.CycleAsync();

        // Leader election, the webhook's certificate and caBundle, and a scrape of /metrics, with the operator's own host.
        h.Server.Seed(new V1MutatingWebhookConfiguration { ApiVersion = "admissionregistration.k8s.io/v1", Kind = "MutatingWebhookConfiguration", Metadata = new V1ObjectMeta { Name = "berth" }, Webhooks = [new V1MutatingWebhook { Name = "m.berth.dev", AdmissionReviewVersions = ["v1"], SideEffects = "None", ClientConfig = new Admissionregistrationv1WebhookClientConfig() }] });
        h.Server.Seed(new V1ValidatingWebhookConfiguration { ApiVersion = "admissionregistration.k8s.io/v1", Kind = "ValidatingWebhookConfiguration", Metadata = new V1ObjectMeta { Name = "berth" }, Webhooks = [new V1ValidatingWebhook { Name = "v.berth.dev", AdmissionReviewVersions = ["v1"], SideEffects = "None", ClientConfig = new Admissionregistrationv1WebhookClientConfig() }] });
        h.Server.Access.AddToken("scraper", "prometheus");
        await using (var host = OperatorHost.Create(new OperatorSettings { Identity = "rbac", LeaderElect = true, MetricsPort = 0, ProbePort = 0, WebhookPort = 0, ListenAddress = "127.0.0.1", LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromSeconds(1.5), RetryPeriod = TimeSpan.FromMilliseconds(200) }, h.Server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance))
        {
            await host.StartAsync();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((!host.Controller.IsLeader || h.Server.RequestCount("update", "leases") == 0) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(host.Controller.IsLeader);
            using var http = Security.Https.Trusting(host.Certificate, host.MetricsAddress!);
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "scraper");
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        }

        var requested = h.Server.Requested().Where(r => r.Verb != "delete" || !r.Resource.StartsWith("pods", StringComparison.Ordinal)).ToArray();
        var manifests = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Api.Repository.Root, "deploy", "rbac.yaml")), CustomResourceDefinitions.Types.ToDictionary(), strict: true);
        var rules = Grants(manifests);

        // The requests the run must have made (so this test checks something), then that each is granted.
        foreach (var expected in new[] { ("create", "provisioningrequests"), ("delete", "podtemplates"), ("list", "configmaps"), ("create", "pods/binding"), ("create", "pods/eviction"), ("patch", "pods/status"), ("update", "jobs"), ("create", "events"), ("patch", "podgroups"), ("patch", "podgroups/status"), ("patch", "queues/status"), ("list", "nodes"), ("watch", "pods"), ("create", "leases"), ("get", "secrets"), ("get", "configmaps"), ("create", "configmaps"), ("update", "configmaps"), ("create", "tokenreviews"), ("create", "subjectaccessreviews"), ("patch", "mutatingwebhookconfigurations"), ("patch", "jobs/status"), ("create", "resourceclaims"), ("update", "resourceclaims/status"), ("watch", "resourceslices") })
        {
            Assert.Contains(expected, requested);
        }

        var operatorRequests = requested.Where(r => !TestOnly(r)).ToArray();
        Assert.All(operatorRequests, r => Assert.True(
            rules.Any(rule => rule.ApiGroups.Contains(Groups[r.Resource.Split('/')[0]]) && rule.Resources.Contains(r.Resource) && rule.Verbs.Contains(r.Verb)),
            $"deploy/rbac.yaml does not grant {r.Verb} on {Groups[r.Resource.Split('/')[0]]}/{r.Resource}, which the operator uses"));

        // The other way: every grant of deploy/rbac.yaml and of the chart is used by a request of the run.
        var chart = Api.HelmChartTests.Render();
        foreach (var (source, grants) in new[] { ("deploy/rbac.yaml", rules), ("deploy/helm/berth", Grants(chart)) })
        {
            foreach (var rule in grants)
            {
                foreach (var resource in rule.Resources)
                {
                    foreach (var verb in rule.Verbs)
                    {
                        Assert.True(operatorRequests.Contains((verb, resource)), $"{source} grants {verb} on {rule.ApiGroups.Single()}/{resource}, which no request of the operator uses; remove the grant");
                        Assert.Equal(Groups[resource.Split('/')[0]], rule.ApiGroups.Single());
                    }
                }
            }
        }
    }

    /// <summary>The resource rules granted to Berth's own ServiceAccount (the metrics-reader role is for scrapers, not bound to Berth).</summary>
    private static V1PolicyRule[] Grants(IEnumerable<object> manifests)
    {
        var objects = manifests.ToArray();
        var bound = objects.OfType<V1ClusterRoleBinding>().Select(b => b.RoleRef.Name).ToHashSet(StringComparer.Ordinal);
        return objects.OfType<V1ClusterRole>().Where(r => bound.Contains(r.Metadata.Name)).SelectMany(r => r.Rules)
            .Concat(objects.OfType<V1Role>().SelectMany(r => r.Rules))
            .Where(r => r.Resources is { Count: > 0 })
            .ToArray();
    }

    /// <summary>Requests the test itself makes (creating Jobs, playing the autoscaler, deleting a PodGroup); everything else is the operator's.</summary>
    private static bool TestOnly((string Verb, string Resource) request) => request is ("create", "jobs") or ("patch", "provisioningrequests/status") or ("delete", "podgroups");
}
