using Berth.Kubernetes.Api;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Api;

/// <summary>
/// deploy/helm/berth, rendered by <see cref="HelmTemplate"/> (helm is not installed in CI): the objects load as
/// their Kubernetes types, the values do what values.yaml says, and the chart stays in step with the plain
/// manifests (same CRDs, same ClusterRole rules, same pod settings as deploy/operator.yaml).
/// </summary>
public sealed class HelmChartTests
{
    private const string Chart = "deploy/helm/berth";
    private const string Ns = "gpu-scheduling";

    public sealed record ValuesCase(string Name, Dictionary<string, object?> Overrides, string[] ArgsPresent, string[] ArgsAbsent, int Replicas, bool LeaderRole, bool Service)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<ValuesCase> Cases => new(
        new ValuesCase("the defaults run two replicas with leader election", [], ["--leader-elect"], ["--default-queue", "--pods-ready-timeout", "--prometheus-url", "--gpu-price"], 2, LeaderRole: true, Service: true),
        new ValuesCase("a pods-ready timeout is passed on", new() { ["podsReadyTimeout"] = "10m" }, ["--pods-ready-timeout", "10m"], [], 2, LeaderRole: true, Service: true),
        new ValuesCase("one replica without leader election has no lease role", new() { ["replicas"] = 1L, ["leaderElection"] = false }, [], ["--leader-elect"], 1, LeaderRole: false, Service: true),
        new ValuesCase("a Prometheus URL turns telemetry on with its interval and query", new() { ["telemetry"] = new Dictionary<string, object?> { ["prometheusUrl"] = "http://prometheus.monitoring:9090" } }, ["--prometheus-url", "http://prometheus.monitoring:9090", "--telemetry-interval", "30s", "avg by (namespace, pod, Hostname, gpu) (DCGM_FI_PROF_GR_ENGINE_ACTIVE)"], [], 2, LeaderRole: true, Service: true),
        new ValuesCase("showback prices are passed on with their currency", new() { ["showback"] = new Dictionary<string, object?> { ["gpuPrices"] = "A100=2.5,H100=4", ["currency"] = "EUR" } }, ["--gpu-price", "A100=2.5,H100=4", "--currency", "EUR"], [], 2, LeaderRole: true, Service: true),
        new ValuesCase("a default queue is passed on", new() { ["defaultQueue"] = "team-a" }, ["--default-queue", "team-a"], [], 2, LeaderRole: true, Service: true),
        new ValuesCase("a profile and a resync are passed on", new() { ["profile"] = "strict-fifo", ["resync"] = "2m" }, ["strict-fifo", "2m"], ["fair-share+backfill+preemption"], 2, LeaderRole: true, Service: true),
        new ValuesCase("an empty serving class turns the serving priority off", new() { ["serving"] = new Dictionary<string, object?> { ["priorityClass"] = "" } }, ["--serving-priority-class", ""], ["berth-serving"], 2, LeaderRole: true, Service: true),
        new ValuesCase("the metrics service can be left out", new() { ["metrics"] = new Dictionary<string, object?> { ["service"] = false } }, [], [], 2, LeaderRole: true, Service: false));

    internal static List<object> Render(Dictionary<string, object?>? overrides = null, string release = "berth")
    {
        var values = HelmTemplate.LoadValues(Repository.Read($"{Chart}/values.yaml"));
        if (overrides is not null)
        {
            values = HelmTemplate.Merge(values, overrides);
        }

        var objects = new List<object>();
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, Chart, "templates"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var text = HelmTemplate.Render(File.ReadAllText(file), values, release, Ns);
            if (!string.IsNullOrWhiteSpace(string.Concat(text.Split('\n').Where(l => !l.TrimStart().StartsWith('#')))))
            {
                objects.AddRange(KubernetesYaml.LoadAllFromString(text, CustomResourceDefinitions.Types.ToDictionary(), strict: true));
            }
        }

        return objects;
    }

    private static List<object> Plain(string file) => KubernetesYaml.LoadAllFromString(Repository.Read(file), CustomResourceDefinitions.Types.ToDictionary(), strict: true);

    [Fact]
    public void Chart_Crds_AreCopiesOfDeployCrds()
    {
        var plain = Directory.GetFiles(Path.Combine(Repository.Deploy, "crds")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var chart = Directory.GetFiles(Path.Combine(Repository.Root, Chart, "crds")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(plain, chart);
        Assert.All(plain, f => Assert.True(
            Repository.Read($"deploy/crds/{f}") == Repository.Read($"{Chart}/crds/{f}"),
            $"{Chart}/crds/{f} differs from deploy/crds/{f}; copy it: cp deploy/crds/*.yaml {Chart}/crds/"));
    }

    [Fact]
    public void Chart_Metadata_NamesTheChart()
    {
        var chart = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(Repository.Read($"{Chart}/Chart.yaml"));

        Assert.Equal(("v2", "berth", "application"), ((string)chart["apiVersion"], (string)chart["name"], (string)chart["type"]));
        Assert.Matches(@"^\d+\.\d+\.\d+$", (string)chart["version"]);
    }

    [Fact]
    public void Chart_DefaultValues_RenderEveryObjectTheOperatorNeeds()
    {
        var objects = Render();

        Assert.Equal(
            ["ClusterRole", "ClusterRole", "ClusterRole", "ClusterRoleBinding", "Deployment", "MutatingWebhookConfiguration", "NetworkPolicy", "PriorityClass", "Role", "Role", "RoleBinding", "RoleBinding", "Service", "Service", "ServiceAccount", "ValidatingWebhookConfiguration"],
            objects.Cast<IKubernetesObject>().Select(o => o.Kind).Order(StringComparer.Ordinal));
        Assert.All(objects.Cast<IKubernetesObject<V1ObjectMeta>>().Where(o => o.Kind is not ("ClusterRole" or "ClusterRoleBinding" or "MutatingWebhookConfiguration" or "ValidatingWebhookConfiguration" or "PriorityClass")), o => Assert.Equal(Ns, o.Metadata.NamespaceProperty));
        var binding = objects.OfType<V1ClusterRoleBinding>().Single();
        Assert.Equal(("berth", Ns), (binding.Subjects.Single().Name, binding.Subjects.Single().NamespaceProperty));
        Assert.Equal(objects.OfType<V1ServiceAccount>().Single().Metadata.Name, objects.OfType<V1Deployment>().Single().Spec.Template.Spec.ServiceAccountName);
    }

    [Fact]
    public void Chart_ClusterRole_GrantsExactlyWhatDeployRbacGrants()
    {
        var chart = Render().OfType<V1ClusterRole>().OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).ToArray();
        var plain = Plain("deploy/rbac.yaml").OfType<V1ClusterRole>().OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).ToArray();

        Assert.Equal(plain.Select(r => KubernetesJson.Serialize(r.Rules)), chart.Select(r => KubernetesJson.Serialize(r.Rules)));
        Assert.Equal(
            Plain("deploy/rbac.yaml").OfType<V1Role>().OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).Select(r => KubernetesJson.Serialize(r.Rules)),
            Render().OfType<V1Role>().OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).Select(r => KubernetesJson.Serialize(r.Rules)));
    }

    [Fact]
    public void Chart_Deployment_RunsThePodAsDeployOperatorYamlDoes()
    {
        var chart = Render().OfType<V1Deployment>().Single();
        var plain = Plain("deploy/operator.yaml").OfType<V1Deployment>().Single();
        var (c, p) = (chart.Spec.Template.Spec.Containers.Single(), plain.Spec.Template.Spec.Containers.Single());

        Assert.Equal(KubernetesJson.Serialize(plain.Spec.Template.Spec.SecurityContext), KubernetesJson.Serialize(chart.Spec.Template.Spec.SecurityContext));
        Assert.Equal(KubernetesJson.Serialize(p.SecurityContext), KubernetesJson.Serialize(c.SecurityContext));
        Assert.Equal(KubernetesJson.Serialize(p.Resources), KubernetesJson.Serialize(c.Resources));
        Assert.Equal(KubernetesJson.Serialize(p.LivenessProbe), KubernetesJson.Serialize(c.LivenessProbe));
        Assert.Equal(KubernetesJson.Serialize(p.ReadinessProbe), KubernetesJson.Serialize(c.ReadinessProbe));
        Assert.Equal(KubernetesJson.Serialize(plain.Spec.Template.Spec.Volumes), KubernetesJson.Serialize(chart.Spec.Template.Spec.Volumes));
        Assert.Equal("berth:latest", c.Image);
        Assert.Equal(["operator", "--profile", "fair-share+backfill+preemption", "--resync", "30s", "--metrics-port", "8443", "--probe-port", "8081", "--webhook-port", "9443", "--webhook-configuration", "berth", "--webhook-service", "berth-webhook", "--cert-dir", "/certs", "--lease-namespace", Ns, "--leader-elect", "--serving-priority-class", "berth-serving"], c.Args);
        Assert.Equal("8443", chart.Spec.Template.Metadata.Annotations["prometheus.io/port"]);
        Assert.Equal(p.Ports.Select(x => (x.Name, x.ContainerPort)), c.Ports.Select(x => (x.Name, x.ContainerPort)));
        Assert.Equal(
            KubernetesJson.Serialize(Plain("deploy/webhook.yaml").OfType<V1ValidatingWebhookConfiguration>().Single().Webhooks.Select(w => w.Rules)),
            KubernetesJson.Serialize(Render().OfType<V1ValidatingWebhookConfiguration>().Single().Webhooks.Select(w => w.Rules)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Chart_Values_ShapeTheRelease(ValuesCase c)
    {
        ArgumentNullException.ThrowIfNull(c);

        var objects = Render(c.Overrides);

        var deployment = objects.OfType<V1Deployment>().Single();
        var args = deployment.Spec.Template.Spec.Containers.Single().Args;
        Assert.All(c.ArgsPresent, a => Assert.Contains(a, args));
        Assert.All(c.ArgsAbsent, a => Assert.DoesNotContain(a, args));
        Assert.Equal(c.Replicas, deployment.Spec.Replicas);
        Assert.Equal(c.LeaderRole, objects.OfType<V1Role>().Any(r => r.Rules.Any(x => x.Resources.Contains("leases"))));
        Assert.Equal(c.Service, objects.OfType<V1Service>().Any(x => x.Metadata.Name.EndsWith("-metrics", StringComparison.Ordinal)));
    }

    [Fact]
    public void Chart_ReleaseName_NamesTheClusterWideObjects()
    {
        var objects = Render(release: "berth-canary");

        Assert.Equal(["berth-canary", "berth-canary-metrics-reader", "berth-canary-viewer"], objects.OfType<V1ClusterRole>().Select(r => r.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["berth-canary"], objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "berth-canary").Rules.Single(r => r.ApiGroups.Contains("admissionregistration.k8s.io")).ResourceNames);
        Assert.Equal("berth-canary", objects.OfType<V1MutatingWebhookConfiguration>().Single().Metadata.Name);
        Assert.Equal("berth-canary", objects.OfType<V1ClusterRoleBinding>().Single().RoleRef.Name);
        Assert.Equal("berth-canary-operator", objects.OfType<V1Deployment>().Single().Metadata.Name);
    }

    public sealed record TemplateCase(string Name, string Template, string Expected)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<TemplateCase> TemplateCases => new(
        new TemplateCase("a value is substituted", "a: {{ .Values.x }}", "a: 1"),
        new TemplateCase("quote quotes", "a: {{ .Values.x | quote }}", "a: \"1\""),
        new TemplateCase("a false if drops its body and trims", "a\n{{- if .Values.no }}\nb\n{{- end }}\nc", "a\nc"),
        new TemplateCase("a true if keeps its body", "a\n{{- if .Values.x }}\nb\n{{- end }}", "a\nb"),
        new TemplateCase("else takes the other branch", "{{ if .Values.no }}b{{ else }}c{{ end }}", "c"),
        new TemplateCase("toYaml and nindent indent a map", "r:\n  {{- toYaml .Values.m | nindent 2 }}", "r:\n  k: v"));

    [Theory]
    [MemberData(nameof(TemplateCases))]
    public void HelmTemplate_Subset_RendersAsHelmWould(TemplateCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var values = HelmTemplate.LoadValues("x: 1\nno: false\nm: {k: v}\n");

        Assert.Equal(c.Expected, HelmTemplate.Render(c.Template, values, "r", "ns"));
    }

    [Theory]
    [InlineData("{{ include \"berth.labels\" . }}")]
    [InlineData("{{ .Values.x | default 3 }}")]
    [InlineData("{{ .Values.missing }}")]
    public void HelmTemplate_OutsideTheSubsetOrMissing_IsRefused(string template)
    {
        var values = HelmTemplate.LoadValues("x: 1\n");

        Assert.ThrowsAny<Exception>(() => HelmTemplate.Render(template, values, "r", "ns"));
    }
}
