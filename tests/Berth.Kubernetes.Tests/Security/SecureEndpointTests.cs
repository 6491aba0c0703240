using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Tests.Controller;
using Berth.TestKit.Kubernetes.Fake;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>
/// Issue 12, findings 1, 4 and 6 against the operator's real listeners: <c>/metrics</c> over HTTPS behind
/// TokenReview and SubjectAccessReview, open probes that reveal nothing, and the admission webhook over HTTPS
/// with AdmissionReview v1 payloads as the API server sends them.
/// </summary>
public sealed class SecureEndpointTests : IAsyncLifetime
{
    private const string Scraper = "system:serviceaccount:monitoring:prometheus";
    private const string Tenant = "system:serviceaccount:team-a:default";
    private FakeApiServer _server = null!;
    private OperatorHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        _server.Seed(new V1MutatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "MutatingWebhookConfiguration",
            Metadata = new V1ObjectMeta { Name = "berth" },
            Webhooks = [new V1MutatingWebhook { Name = "mjob.berth.dev", AdmissionReviewVersions = ["v1"], SideEffects = "None", ClientConfig = new Admissionregistrationv1WebhookClientConfig { Service = new Admissionregistrationv1ServiceReference { Name = "berth-webhook", NamespaceProperty = "berth-system", Path = "/mutate" } } }],
        });
        _server.Seed(new V1ValidatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "ValidatingWebhookConfiguration",
            Metadata = new V1ObjectMeta { Name = "berth" },
            Webhooks =
            [
                new V1ValidatingWebhook { Name = "vjob.berth.dev", AdmissionReviewVersions = ["v1"], SideEffects = "None", ClientConfig = new Admissionregistrationv1WebhookClientConfig { Service = new Admissionregistrationv1ServiceReference { Name = "berth-webhook", NamespaceProperty = "berth-system", Path = "/validate" } } },
                new V1ValidatingWebhook { Name = "vpodgroup.berth.dev", AdmissionReviewVersions = ["v1"], SideEffects = "None", ClientConfig = new Admissionregistrationv1WebhookClientConfig { Service = new Admissionregistrationv1ServiceReference { Name = "berth-webhook", NamespaceProperty = "berth-system", Path = "/validate" } } },
            ],
        });
        _server.Seed(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = "team-a", Labels = new Dictionary<string, string> { ["team"] = "a" } } });
        var queue = Objects.Queue("team-a", "a100", "8");
        _server.Seed(queue with { Spec = queue.Spec with { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } } } });
        var gold = Objects.PriorityClass("gold", 1000);
        gold.Metadata.Annotations = new Dictionary<string, string> { [Webhook.AdmissionReviewHandler.AllowedNamespacesAnnotation] = "team-b" };
        _server.Seed(gold);
        _server.Access.AddToken("scraper-token", Scraper);
        _server.Access.AddToken("tenant-token", Tenant);
        _server.Access.Grant(Scraper, "get", "/metrics");

        _host = OperatorHost.Create(new OperatorSettings
        {
            Identity = "secure", MetricsPort = 0, ProbePort = 0, WebhookPort = 0, ListenAddress = "127.0.0.1",
            Controller = new ControllerOptions { Resync = TimeSpan.FromMilliseconds(500) },
        }, _server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);
        await _host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!_host.Controller.Ready && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(_host.Controller.Ready);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-token", HttpStatusCode.Unauthorized)]
    [InlineData("tenant-token", HttpStatusCode.Forbidden)]
    [InlineData("scraper-token", HttpStatusCode.OK)]
    public async Task Metrics_OverHttps_OnlyForATokenAllowedToGetMetrics(string? token, HttpStatusCode expected)
    {
        using var http = Https.Trusting(_host.Certificate, _host.MetricsAddress!);
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("https", _host.MetricsAddress!.Scheme);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK, text.Contains("berth_leader", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probes_AreOpenAndSayOnlyOk_AndServeNoMetrics()
    {
        using var http = new HttpClient { BaseAddress = _host.ProbeAddress };

        Assert.Equal("ok\n", await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public void GeneratedCa_IsPatchedIntoBothWebhookConfigurations()
    {
        var bundle = Encoding.UTF8.GetBytes(_host.Certificate.CaPem);

        Assert.True(_host.Certificate.Generated);
        Assert.Equal(bundle, Assert.Single(_server.Get<V1MutatingWebhookConfiguration>("berth")!.Webhooks).ClientConfig.CaBundle);
        Assert.All(_server.Get<V1ValidatingWebhookConfiguration>("berth")!.Webhooks, w => Assert.Equal(bundle, w.ClientConfig.CaBundle));
    }

    public sealed record ReviewCase(string Name, string Path, string User, string Operation, JsonObject Object, JsonObject? Old, bool Allowed, string? Says, bool Patched = false)
    {
        public override string ToString() => Name;
    }

    private static JsonObject Job(bool suspend, string queue = "team-a", Dictionary<string, string>? annotations = null, string? priorityClass = null) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "Job",
        ["metadata"] = new JsonObject
        {
            ["name"] = "train",
            ["namespace"] = "team-a",
            ["labels"] = new JsonObject { [KubernetesNames.KueueQueueLabel] = queue },
            ["annotations"] = annotations is null ? null : new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
        },
        ["spec"] = new JsonObject
        {
            ["suspend"] = suspend,
            ["template"] = new JsonObject { ["spec"] = new JsonObject { ["priorityClassName"] = priorityClass, ["containers"] = new JsonArray() } },
        },
    };

    private static JsonObject Group(int? priority = null, string? priorityClass = null, Dictionary<string, string>? annotations = null) => new()
    {
        ["apiVersion"] = KubernetesNames.ApiVersion,
        ["kind"] = "PodGroup",
        ["metadata"] = new JsonObject
        {
            ["name"] = "gang",
            ["namespace"] = "team-a",
            ["annotations"] = annotations is null ? null : new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
        },
        ["spec"] = new JsonObject { ["minMember"] = 2, ["queue"] = "team-a", ["priority"] = priority, ["priorityClassName"] = priorityClass },
    };

    private static readonly Dictionary<string, string> Forged = new() { [AdmissionRecord.AnnotationName] = "{\"flavor\":\"a100\",\"admittedAt\":\"2026-01-01T00:00:00Z\",\"pods\":[]}" };

    public static TheoryData<ReviewCase> Reviews => new(
        new ReviewCase("a queued Job created running is patched to suspended", "/mutate", Tenant, "CREATE", Job(suspend: false), null, true, null, Patched: true),
        new ReviewCase("a queued Job created suspended only gets its creator recorded", "/mutate", Tenant, "CREATE", Job(suspend: true), null, true, null, Patched: true),
        new ReviewCase("a Job created naming another user as its creator is refused", "/validate", Tenant, "CREATE", Job(suspend: true, annotations: new() { [KubernetesNames.UserAnnotation] = "alice" }), null, false, KubernetesNames.UserAnnotation),
        new ReviewCase("a Job created with the creator the mutating webhook recorded is allowed", "/validate", Tenant, "CREATE", Job(suspend: true, annotations: new() { [KubernetesNames.UserAnnotation] = Tenant }), null, true, null),
        new ReviewCase("a tenant changing the recorded creator of their Job is refused", "/validate", Tenant, "UPDATE", Job(suspend: true, annotations: new() { [KubernetesNames.UserAnnotation] = "bob" }), Job(suspend: true, annotations: new() { [KubernetesNames.UserAnnotation] = Tenant }), false, KubernetesNames.UserAnnotation),
        new ReviewCase("a Job created with a forged admission record is refused", "/validate", Tenant, "CREATE", Job(suspend: true, annotations: Forged), null, false, "berth.dev/admission"),
        new ReviewCase("a tenant unsuspending their queued Job is refused", "/validate", Tenant, "UPDATE", Job(suspend: false), Job(suspend: true), false, "spec.suspend"),
        new ReviewCase("a tenant adding a forged record to their Job is refused", "/validate", Tenant, "UPDATE", Job(suspend: true, annotations: Forged), Job(suspend: true), false, "written by Berth only"),
        new ReviewCase("Berth itself admitting a Job is allowed", "/validate", "system:serviceaccount:berth-system:berth", "UPDATE", Job(suspend: false, annotations: Forged), Job(suspend: true), true, null),
        new ReviewCase("a PodGroup created with a forged record is refused", "/validate", Tenant, "CREATE", Group(annotations: Forged), null, false, "berth.dev/admission"),
        new ReviewCase("a PodGroup with a raw spec.priority is refused", "/validate", Tenant, "CREATE", Group(priority: 1_000_000), null, false, "spec.priority"),
        new ReviewCase("a PodGroup naming a class its namespace may not use is refused", "/validate", Tenant, "CREATE", Group(priorityClass: "gold"), null, false, "may not use PriorityClass gold"),
        new ReviewCase("a PodGroup naming a missing class is refused", "/validate", Tenant, "CREATE", Group(priorityClass: "nope"), null, false, "no PriorityClass nope"),
        new ReviewCase("a Job naming a queue its namespace may use is allowed", "/validate", Tenant, "CREATE", Job(suspend: true), null, true, null),
        new ReviewCase("a plain PodGroup is allowed", "/validate", Tenant, "CREATE", Group(), null, true, null));

    [Theory]
    [MemberData(nameof(Reviews))]
    public async Task Webhook_OverHttps_AnswersAdmissionReviews(ReviewCase c)
    {
        using var http = Https.Trusting(_host.Certificate, _host.WebhookAddress!);
        var kind = c.Object["kind"]!.GetValue<string>();
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = "705ab4f5-6393-11e8-b7cc-42010a800002",
                ["kind"] = new JsonObject { ["group"] = kind == "Job" ? "batch" : KubernetesNames.Group, ["version"] = kind == "Job" ? "v1" : KubernetesNames.Version, ["kind"] = kind },
                ["resource"] = new JsonObject { ["group"] = kind == "Job" ? "batch" : KubernetesNames.Group, ["version"] = kind == "Job" ? "v1" : KubernetesNames.Version, ["resource"] = kind == "Job" ? "jobs" : "podgroups" },
                ["name"] = c.Object["metadata"]!["name"]!.GetValue<string>(),
                ["namespace"] = "team-a",
                ["operation"] = c.Operation,
                ["userInfo"] = new JsonObject { ["username"] = c.User, ["groups"] = new JsonArray("system:serviceaccounts", "system:authenticated") },
                ["object"] = c.Object.DeepClone(),
                ["oldObject"] = c.Old?.DeepClone(),
                ["dryRun"] = false,
            },
        };

        var response = await http.PostAsync(new Uri(c.Path, UriKind.Relative), new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("AdmissionReview", answer["kind"]!.GetValue<string>());
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", answer["response"]!["uid"]!.GetValue<string>());
        Assert.Equal(c.Allowed, answer["response"]!["allowed"]!.GetValue<bool>());
        if (c.Says is not null)
        {
            Assert.Contains(c.Says, answer["response"]!["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Equal(c.Patched, answer["response"]!["patch"] is not null);
        if (c.Patched)
        {
            var patch = JsonNode.Parse(Convert.FromBase64String(answer["response"]!["patch"]!.GetValue<string>()))!.AsArray();
            Assert.Equal("JSONPatch", answer["response"]!["patchType"]!.GetValue<string>());
            Assert.Equal(c.Object["spec"]?["suspend"]?.GetValue<bool>() != true, patch.Any(op => op!["path"]!.GetValue<string>() == "/spec/suspend" && op["value"]!.GetValue<bool>()));
            Assert.Contains(patch, op => op!["path"]!.GetValue<string>() == "/metadata/annotations" ? op["value"]![KubernetesNames.UserAnnotation]!.GetValue<string>() == c.User
                : op["path"]!.GetValue<string>() == "/metadata/annotations/berth.dev~1user" && op["value"]!.GetValue<string>() == c.User);
        }
    }

    [Fact]
    public async Task Webhook_ABodyThatIsNotAReview_Gets400()
    {
        using var http = Https.Trusting(_host.Certificate, _host.WebhookAddress!);

        var response = await http.PostAsync(new Uri("/validate", UriKind.Relative), new StringContent("{\"kind\":\"Pod\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
