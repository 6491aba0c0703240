using Berth.Kubernetes.Api;
using Berth.Kubernetes.Frameworks;
using Berth.Kubernetes.Translation;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Api;

public sealed class DeployManifestTests
{
    public static TheoryData<string> YamlFiles => new(Repository.DeployYamlFiles);

    /// <summary>The file's objects: typed models, and <see cref="FrameworkObject"/> for a job framework's custom resources (all of a file's documents are one or the other).</summary>
    private static List<object> Load(string file)
    {
        var text = Repository.Read(file);
        var documents = YamlJson.LoadAll(text);
        if (documents.All(d => FrameworkRegistry.Find(d?["apiVersion"]?.GetValue<string>(), d?["kind"]?.GetValue<string>()) is not null))
        {
            return documents.Select(d => (object)KubernetesJson.Deserialize<FrameworkObject>(d!.ToJsonString())).ToList();
        }

        return KubernetesYaml.LoadAllFromString(text, CustomResourceDefinitions.Types.ToDictionary(), strict: true);
    }

    private static List<T> LoadAll<T>(string folder) =>
        Repository.DeployYamlFiles.Where(f => f.StartsWith(folder, StringComparison.Ordinal)).SelectMany(Load).OfType<T>().ToList();

    [Fact]
    public void DeployFolder_HoldsTheExpectedManifests()
    {
        var files = Repository.DeployYamlFiles;

        Assert.Contains("deploy/rbac.yaml", files);
        Assert.Contains("deploy/operator.yaml", files);
        Assert.Equal(4, files.Count(f => f.StartsWith("deploy/crds/", StringComparison.Ordinal)));
        Assert.Contains(files, f => f.StartsWith("deploy/examples/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Manifest_EveryDocument_LoadsAsItsKubernetesType(string file)
    {
        var objects = Load(file);

        Assert.NotEmpty(objects);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject>(o));
        Assert.All(objects.Cast<IKubernetesObject<V1ObjectMeta>>(), o => Assert.False(string.IsNullOrEmpty(o.Metadata?.Name), $"{file}: a {o.Kind} has no name"));
    }

    [Fact]
    public void Examples_FlavorsCohortsAndQueues_TranslateReady()
    {
        var result = QueueTranslator.Translate(LoadAll<Flavor>("deploy/examples/"), LoadAll<Cohort>("deploy/examples/"), LoadAll<Queue>("deploy/examples/"));

        Assert.True(result.Invalid.Count == 0, string.Join("; ", result.Invalid.Select(v => $"{v.Kind} {v.Name}: {v.Message}")));
        Assert.Equal(["a100", "h100"], result.Configuration.Flavors.Select(f => f.Name));
        Assert.Equal(["research"], result.Configuration.Cohorts.Select(c => c.Name));
        Assert.Equal(["team-a", "team-b", "team-burst", "team-gated"], result.Configuration.Queues.Select(q => q.Name));
        Assert.Equal(["gpu-capacity"], result.Configuration.Queues[2].AdmissionChecks);
        Assert.Equal(["capacity", "budget"], result.Configuration.Queues[3].AdmissionChecks);
        Assert.All(result.Configuration.Queues, q => Assert.Equal("research", q.Cohort));
        Assert.Equal(64500, result.Configuration.Queues[1].Flavors[0].Cpu!.LendingLimit);
    }

    [Fact]
    public void Examples_Job_TranslatesToAWorkloadOfItsQueue()
    {
        var job = Assert.Single(LoadAll<V1Job>("deploy/examples/"));

        var result = WorkloadTranslator.FromJob(job, WorkloadTranslator.QueueOf(job.Metadata), DateTimeOffset.UnixEpoch);

        Assert.True(job.Spec.Suspend);
        Assert.Equal(KubernetesNames.SchedulerName, job.Spec.Template.Spec.SchedulerName);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal("team-a", result.Workload!.Queue);
        Assert.Equal((4, 2), (result.Workload.PodSets[0].Count, result.Workload.PodSets[0].Template.GpuCount));
    }

    [Theory]
    [InlineData("jobset.yaml", "JobSet", new[] { 1, 4 }, 8)]
    [InlineData("pytorchjob.yaml", "PyTorchJob", new[] { 1, 3 }, 4)]
    [InlineData("trainjob.yaml", "TrainJob", new[] { 4 }, 4)]
    [InlineData("rayjob.yaml", "RayJob", new[] { 1, 2 }, 4)]
    [InlineData("raycluster.yaml", "RayCluster", new[] { 1, 2 }, 2)]
    [InlineData("leaderworkerset.yaml", "LeaderWorkerSet", new[] { 1, 3 }, 8)]
    [InlineData("serving-leaderworkerset.yaml", "LeaderWorkerSet", new[] { 1, 1 }, 4)]
    public void Examples_Framework_TranslatesToOneGangOfItsQueue(string file, string kind, int[] counts, int gpusOfTheLast)
    {
        var obj = Assert.IsType<FrameworkObject>(Assert.Single(Load("deploy/examples/" + file)));
        var framework = FrameworkRegistry.Find(obj.ApiVersion, obj.Kind);

        Assert.Equal(kind, framework?.Kind);
        Assert.Equal(framework!.ApiVersion, obj.ApiVersion);
        var result = FrameworkTranslator.FromObject(obj, framework, WorkloadTranslator.QueueOf(obj.Metadata), DateTimeOffset.UnixEpoch, gang: framework.SuspendPath is null ? 0 : null);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(counts, result.Workload!.PodSets.Select(s => s.Count));
        Assert.Equal(gpusOfTheLast, result.Workload.PodSets[^1].Template.GpuCount);
        if (framework.SuspendPath is { } path)
        {
            Assert.True(JsonFields.At(obj.Section(path[0]), [.. path.Skip(1)])?.GetValue<bool>(), $"{file} is created suspended");
        }
    }

    [Fact]
    public void Examples_ServingDeployment_ItsPodsAreReplicasOfTheDeploymentInItsQueue_ScaledByItsHpa()
    {
        var objects = Load("deploy/examples/serving-deployment.yaml");
        var deployment = objects.OfType<V1Deployment>().Single();
        var hpa = objects.OfType<V2HorizontalPodAutoscaler>().Single();
        var labels = new Dictionary<string, string>(deployment.Spec.Template.Metadata.Labels) { [ServingWorkloads.PodTemplateHashLabel] = "6f9" };
        var owner = new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = deployment.Metadata.Name + "-6f9", Uid = "u", Controller = true };
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "llm-chat-6f9-x1", NamespaceProperty = deployment.Metadata.NamespaceProperty, Labels = labels, OwnerReferences = [owner] }, Spec = deployment.Spec.Template.Spec };

        var result = WorkloadTranslator.FromPlainPod(PodTranslator.Translate(pod), DateTimeOffset.UnixEpoch);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal((WorkloadTranslator.QueueOf(deployment.Metadata), 1), (result.Workload!.Queue, result.Workload.PodSets[0].Template.GpuCount));
        Assert.Equal("deployment/default/llm-chat", ServingWorkloads.GroupOf(pod.Metadata));
        Assert.Null(deployment.Spec.Template.Spec.PriorityClassName); // it takes berth-serving
        Assert.Equal((deployment.Kind, deployment.Metadata.Name), (hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
    }

    [Fact]
    public void PriorityClasses_TheServingClass_IsAboveTrainingsDefault()
    {
        var serving = Load("deploy/priorityclasses.yaml").OfType<V1PriorityClass>().Single();

        Assert.Equal(ServingWorkloads.DefaultPriorityClass, serving.Metadata.Name);
        Assert.True(serving.Value > 0, "a serving replica must outrank training pods that name no class (priority 0)");
        Assert.NotEqual(true, serving.GlobalDefault);
    }

    [Fact]
    public void Examples_PodGroup_TranslatesToAGangOfEight()
    {
        var objects = Load("deploy/examples/podgroup.yaml");
        var group = objects.OfType<PodGroup>().Single();
        var pods = objects.OfType<V1Pod>().Select(PodTranslator.Translate).ToArray();

        var result = WorkloadTranslator.FromPodGroup(group, pods, DateTimeOffset.UnixEpoch);

        Assert.Equal(8, pods.Length);
        Assert.True(result.IsValid, result.Message);
        var set = Assert.Single(result.Workload!.PodSets);
        Assert.Equal((8, 8, Berth.Model.TopologyKeys.Rack), (set.Count, set.MinCount, set.TopologyKey));
    }

    [Fact]
    public void Examples_SharedGpuPod_AsksForHalfAGpu()
    {
        var pod = PodTranslator.Translate(Assert.Single(Load("deploy/examples/shared-gpu-pod.yaml").OfType<V1Pod>()));

        var result = WorkloadTranslator.FromPlainPod(pod, DateTimeOffset.UnixEpoch);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal((1, 500), (pod.Pod.GpuCount, pod.Pod.GpuMilli));
    }

    [Fact]
    public void Rbac_ClusterRole_IsLeastPrivilege()
    {
        var objects = Load("deploy/rbac.yaml");
        var role = objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "berth");
        var rules = role.Rules;

        Assert.DoesNotContain(rules, r => r.Verbs.Contains("*") || (r.Resources?.Contains("*") ?? false) || (r.ApiGroups?.Contains("*") ?? false));
        Assert.DoesNotContain(rules, r => r.Verbs.Contains("deletecollection") || r.Verbs.Contains("escalate") || r.Verbs.Contains("bind"));

        // Delete only on what Berth creates itself: the provisioning check's requests and their PodTemplates.
        Assert.All(rules.Where(r => r.Verbs.Contains("delete")), r => Assert.All(r.Resources, res => Assert.Contains(res, new[] { "provisioningrequests", "podtemplates" })));
        Assert.DoesNotContain(rules, r => r.Resources.Contains("secrets") || r.Resources.Contains("leases"));
        bool Grants(string group, string resource, string verb) => rules.Any(r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource) && r.Verbs.Contains(verb));
        foreach (var (group, resource, verb) in new[]
        {
            ("", "nodes", "watch"), ("", "pods", "watch"), ("", "namespaces", "watch"), ("", "pods/binding", "create"), ("", "pods/eviction", "create"),
            ("", "events", "create"), ("batch", "jobs", "update"), ("batch", "jobs", "watch"), ("scheduling.k8s.io", "priorityclasses", "watch"),
            ("berth.dev", "queues", "watch"), ("berth.dev", "podgroups", "watch"), ("berth.dev", "queues/status", "patch"), ("berth.dev", "podgroups/status", "patch"),
            ("authentication.k8s.io", "tokenreviews", "create"), ("authorization.k8s.io", "subjectaccessreviews", "create"),
        })
        {
            Assert.True(Grants(group, resource, verb), $"the ClusterRole does not grant {verb} on {group}/{resource}");
        }

        // Nothing the code does not use (issue 12, finding 5): no pod patch, no node or queue writes, no PDB reads.
        Assert.False(Grants("", "pods", "patch"));
        Assert.False(Grants("", "nodes", "patch"));
        Assert.False(Grants("berth.dev", "queues", "update"));
        Assert.False(Grants("policy", "poddisruptionbudgets", "list"));
        Assert.All(rules.Where(r => r.ApiGroups.Contains("admissionregistration.k8s.io")), r => Assert.Equal(["berth"], r.ResourceNames));
        var roles = objects.OfType<V1Role>().ToArray();
        Assert.All(roles, r => Assert.Equal("berth-system", r.Metadata.NamespaceProperty));
        Assert.Equal(["get", "create", "update"], roles.SelectMany(r => r.Rules).Single(r => r.Resources.Contains("leases")).Verbs);
        var secretRead = roles.SelectMany(r => r.Rules).Single(r => r.Resources.Contains("secrets") && r.Verbs.Contains("get"));
        Assert.Equal(["berth-admission-key", "berth-webhook-tls"], secretRead.ResourceNames);
        var binding = objects.OfType<V1ClusterRoleBinding>().Single();
        Assert.Equal(("ServiceAccount", "berth", "berth-system"), (binding.Subjects[0].Kind, binding.Subjects[0].Name, binding.Subjects[0].NamespaceProperty));
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Equal(roles.Select(r => r.Metadata.Name).Order(StringComparer.Ordinal), objects.OfType<V1RoleBinding>().Select(b => b.RoleRef.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["/metrics"], objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "berth-metrics-reader").Rules.Single().NonResourceURLs);
    }

    [Fact]
    public void Operator_Deployment_RunsTwoNonRootReplicasWithLeaderElectionAndProbes()
    {
        var objects = Load("deploy/operator.yaml");
        var deployment = objects.OfType<V1Deployment>().Single();
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();

        Assert.Equal("berth-system", deployment.Metadata.NamespaceProperty);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("berth", pod.ServiceAccountName);
        Assert.Equal(["operator", "--leader-elect", "--cert-dir", "/certs"], container.Args);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("probes", container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal([8081, 8443, 9443], container.Ports.Select(p => p.ContainerPort));
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Contains("ALL", container.SecurityContext.Capabilities.Drop);
        Assert.NotNull(container.Resources.Requests["cpu"]);
        Assert.NotNull(container.Resources.Requests["memory"]);
        Assert.Equal("true", deployment.Spec.Template.Metadata.Annotations["prometheus.io/scrape"]);
        Assert.Equal("8443", deployment.Spec.Template.Metadata.Annotations["prometheus.io/port"]);
        Assert.Equal("https", deployment.Spec.Template.Metadata.Annotations["prometheus.io/scheme"]);
        Assert.True(pod.Volumes.Single(v => v.Name == "certs").Secret.Optional);
        Assert.Null(pod.SchedulerName);
        var service = objects.OfType<V1Service>().Single();
        Assert.Equal(8443, service.Spec.Ports.Single().Port);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
    }

    [Fact]
    public void Webhook_Configurations_FailClosedOnQueuedJobsAndPodGroupsOnly()
    {
        var objects = Load("deploy/webhook.yaml");
        var mutating = objects.OfType<V1MutatingWebhookConfiguration>().Single();
        var validating = objects.OfType<V1ValidatingWebhookConfiguration>().Single();
        var service = objects.OfType<V1Service>().Single();

        Assert.Equal(("berth", "berth"), (mutating.Metadata.Name, validating.Metadata.Name));
        Assert.All(mutating.Webhooks, w => Assert.Equal(("Fail", "/mutate", "berth-webhook", "None"), (w.FailurePolicy, w.ClientConfig.Service.Path, w.ClientConfig.Service.Name, w.SideEffects)));
        Assert.All(validating.Webhooks, w => Assert.Equal(("Fail", "/validate", "berth-webhook", "None"), (w.FailurePolicy, w.ClientConfig.Service.Path, w.ClientConfig.Service.Name, w.SideEffects)));
        // Queued Jobs (by their queue label) are created suspended; every PodGroup (always queued) gets its creator recorded;
        // queued serving workloads get Berth's scheduler, queue label and serving class in their templates.
        Assert.Equal(
            ["jobs", "jobs", "podgroups", "deployments,statefulsets,leaderworkersets", "deployments,statefulsets,leaderworkersets"],
            mutating.Webhooks.Select(w => string.Join(",", w.Rules.SelectMany(r => r.Resources))));
        Assert.Equal(
            [KubernetesNames.KueueQueueLabel, KubernetesNames.QueueLabel, KubernetesNames.KueueQueueLabel, KubernetesNames.QueueLabel],
            mutating.Webhooks.Where(w => w.ObjectSelector is not null).Select(w => w.ObjectSelector.MatchExpressions.Single().Key));
        Assert.Equal(["CREATE"], mutating.Webhooks.Single(w => w.ObjectSelector is null).Rules.Single().Operations);
        Assert.Contains(validating.Webhooks, w => w.Rules.Single().Resources.Contains("podgroups"));
        // Scaling goes through deployments/scale and statefulsets/scale, which no rule names: HPA and KEDA never wait on Berth.
        var resources = mutating.Webhooks.SelectMany(w => w.Rules).Concat(validating.Webhooks.SelectMany(w => w.Rules)).SelectMany(r => r.Resources);
        Assert.DoesNotContain(resources, r => r.EndsWith("/scale", StringComparison.Ordinal));
        Assert.Equal(
            [ServingWorkloads.ServingLabel],
            validating.Webhooks.Where(w => w.Rules.Any(r => r.Resources.Contains("deployments")) && w.ObjectSelector.MatchExpressions.Single().Key.StartsWith("berth.dev/serving", StringComparison.Ordinal)).Select(w => w.ObjectSelector.MatchExpressions.Single().Key));
        Assert.All(mutating.Webhooks.Select(w => w.NamespaceSelector).Concat(validating.Webhooks.Select(w => w.NamespaceSelector)),
            s => Assert.Equal(["kube-system", "berth-system"], s.MatchExpressions.Single(e => e.OperatorProperty == "NotIn").Values));
        Assert.Equal("webhook", service.Spec.Ports.Single().TargetPort.Value);
        Assert.Equal("berth-system/berth-webhook", mutating.Metadata.Annotations["cert-manager.io/inject-ca-from"]);
    }

    [Fact]
    public void NetworkPolicy_OpensWebhookAndProbes_AndMetricsOnlyToScrapers()
    {
        var policy = Load("deploy/networkpolicy.yaml").OfType<V1NetworkPolicy>().Single();
        var deployment = Load("deploy/operator.yaml").OfType<V1Deployment>().Single();

        Assert.Equal(deployment.Spec.Selector.MatchLabels, policy.Spec.PodSelector.MatchLabels);
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        var open = policy.Spec.Ingress.Single(r => r.FromProperty is null);
        Assert.Equal(["9443", "8081"], open.Ports.Select(p => p.Port.Value));
        var scrape = policy.Spec.Ingress.Single(r => r.FromProperty is not null);
        Assert.Equal(["8443"], scrape.Ports.Select(p => p.Port.Value));
        Assert.Equal("true", scrape.FromProperty.Single().NamespaceSelector.MatchLabels["berth.dev/metrics-scraper"]);
    }

    [Fact]
    public void CertManager_Certificate_NamesTheWebhookServiceAndTheSecretTheOperatorMounts()
    {
        var text = Repository.Read("deploy/cert-manager/certificate.yaml");
        var secret = Load("deploy/operator.yaml").OfType<V1Deployment>().Single().Spec.Template.Spec.Volumes.Single(v => v.Name == "certs").Secret.SecretName;

        Assert.Contains($"secretName: {secret}", text, StringComparison.Ordinal);
        Assert.Contains("- berth-webhook.berth-system.svc", text, StringComparison.Ordinal);
        Assert.Contains("kind: Certificate", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_BuildsTheCliOnTheSdkAndRunsNonRoot()
    {
        var dockerfile = Repository.Read("Dockerfile");

        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/Berth.Cli/Berth.Cli.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER $APP_UID", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "src/Berth.Cli/Berth.Cli.csproj")));
    }

    [Fact]
    public void KubernetesDoc_NamesEveryLabelAndAnnotationBerthHonours()
    {
        var doc = Repository.Read("docs/KUBERNETES.md");
        var names = typeof(KubernetesNames).GetFields()
            .Where(f => f.IsLiteral && (f.Name.EndsWith("Label", StringComparison.Ordinal) || f.Name.EndsWith("Annotation", StringComparison.Ordinal)))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();

        Assert.True(names.Length >= 10);
        Assert.All(names, name => Assert.Contains("`" + name + "`", doc, StringComparison.Ordinal));
    }
}
