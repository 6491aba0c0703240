using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Translation;
using Berth.Kubernetes.Webhook;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>The webhook on serving workloads (Deployments, StatefulSets, LeaderWorkerSets), without HTTP.</summary>
public sealed class ServingWebhookTests
{
    private const string BerthUser = "system:serviceaccount:berth-system:berth";

    private static readonly WebhookView Synced = WebhookView.Of(
        [new Berth.Kubernetes.Api.Queue { Metadata = new V1ObjectMeta { Name = "inference" } }],
        [new V1PriorityClass { Metadata = new V1ObjectMeta { Name = ServingWorkloads.DefaultPriorityClass }, Value = 1000 }],
        []);

    [Fact]
    public void Mutate_QueuedDeployment_GetsBerthsSchedulerTheQueueLabelAndTheServingClassInItsTemplate()
    {
        var handler = new AdmissionReviewHandler(BerthUser, Synced);

        var patched = Apply(Deployment(queue: "inference"), handler.Mutate(Review("apps", "Deployment", Deployment(queue: "inference"))));

        var template = patched["spec"]!["template"]!;
        Assert.Equal(KubernetesNames.SchedulerName, template["spec"]!["schedulerName"]!.GetValue<string>());
        Assert.Equal(ServingWorkloads.DefaultPriorityClass, template["spec"]!["priorityClassName"]!.GetValue<string>());
        Assert.Equal("inference", template["metadata"]!["labels"]![KubernetesNames.KueueQueueLabel]!.GetValue<string>());
        Assert.Equal("web", template["metadata"]!["labels"]!["app"]!.GetValue<string>()); // the selector's label stays
    }

    [Fact]
    public void Mutate_TemplateNamingItsOwnClass_KeepsIt()
    {
        var handler = new AdmissionReviewHandler(BerthUser, Synced);
        var deployment = Deployment(queue: "inference");
        deployment["spec"]!["template"]!["spec"]!["priorityClassName"] = "batch-low";

        var patched = Apply(deployment, handler.Mutate(Review("apps", "Deployment", deployment.DeepClone().AsObject())));

        Assert.Equal("batch-low", patched["spec"]!["template"]!["spec"]!["priorityClassName"]!.GetValue<string>());
    }

    [Fact]
    public void Mutate_QueueThatDoesNotExist_WarnsNamingTheLabel()
    {
        var handler = new AdmissionReviewHandler(BerthUser, Synced);

        var answer = handler.Mutate(Review("apps", "StatefulSet", Deployment(queue: "inferense", kind: "StatefulSet")));

        var warning = Assert.Single(answer["response"]!["warnings"]!.AsArray())!.GetValue<string>();
        Assert.Contains("queue inferense does not exist", warning, StringComparison.Ordinal);
        Assert.Contains($"metadata.labels[{KubernetesNames.KueueQueueLabel}]", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ServingLabelWithoutQueue_IsRefusedNamingTheLabelToAdd()
    {
        var handler = new AdmissionReviewHandler(BerthUser, Synced);
        var deployment = Deployment(queue: null);
        deployment["metadata"]!["labels"]![ServingWorkloads.ServingLabel] = "true";

        var answer = handler.Validate(Review("apps", "Deployment", deployment));

        Assert.False(answer["response"]!["allowed"]!.GetValue<bool>());
        var message = answer["response"]!["status"]!["message"]!.GetValue<string>();
        Assert.StartsWith("metadata.labels:", message, StringComparison.Ordinal);
        Assert.Contains($"add {KubernetesNames.KueueQueueLabel}: <queue>", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_QueuedDeploymentWithAnotherScheduler_IsRefusedNamingSchedulerName()
    {
        var handler = new AdmissionReviewHandler(BerthUser, Synced);
        var deployment = Deployment(queue: "inference");
        deployment["spec"]!["template"]!["spec"]!["schedulerName"] = "volcano";

        var answer = handler.Validate(Review("apps", "Deployment", deployment));

        Assert.False(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Contains("spec.template.spec.schedulerName is 'volcano'", answer["response"]!["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_QueuedDeploymentAsMutated_IsAllowed()
    {
        var handler = new AdmissionReviewHandler(BerthUser, Synced);
        var mutated = Apply(Deployment(queue: "inference"), handler.Mutate(Review("apps", "Deployment", Deployment(queue: "inference"))));

        Assert.True(handler.Validate(Review("apps", "Deployment", mutated))["response"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void Mutate_QueuedLeaderWorkerSet_SetsSchedulerAndClassInBothTemplates()
    {
        var handler = new AdmissionReviewHandler(BerthUser, Synced);
        var lws = new JsonObject
        {
            ["apiVersion"] = "leaderworkerset.x-k8s.io/v1",
            ["kind"] = "LeaderWorkerSet",
            ["metadata"] = new JsonObject { ["name"] = "llm", ["labels"] = new JsonObject { [KubernetesNames.QueueLabel] = "inference" } },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["leaderWorkerTemplate"] = new JsonObject
                {
                    ["size"] = 2,
                    ["leaderTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray() } },
                    ["workerTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray() } },
                },
            },
        };

        var patched = Apply(lws, handler.Mutate(Review("leaderworkerset.x-k8s.io", "LeaderWorkerSet", lws.DeepClone().AsObject(), "v1")));

        foreach (var name in new[] { "leaderTemplate", "workerTemplate" })
        {
            var spec = patched["spec"]!["leaderWorkerTemplate"]![name]!["spec"]!;
            Assert.Equal(KubernetesNames.SchedulerName, spec["schedulerName"]!.GetValue<string>());
            Assert.Equal(ServingWorkloads.DefaultPriorityClass, spec["priorityClassName"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task ThroughTheApiServer_ServingLabelWithoutQueue_TheClientGetsTheFieldAndTheFix()
    {
        await using var server = await Berth.TestKit.Kubernetes.Fake.FakeApiServer.StartAsync();
        var handler = new AdmissionReviewHandler(BerthUser, Synced);
        using var hook = server.AddAdmissionWebhook(a =>
        {
            if (a is not { Verb: "create", Resource: "deployments" or "statefulsets" } || a.Body is not JsonObject body)
            {
                return null;
            }

            var kind = a.Resource == "deployments" ? "Deployment" : "StatefulSet";
            var response = handler.Validate(Review("apps", kind, body.DeepClone().AsObject()))["response"]!;
            return response["allowed"]!.GetValue<bool>() ? null : new Berth.TestKit.Kubernetes.Fake.WebhookDenial("vserving-intent.berth.dev", response["status"]!["message"]!.GetValue<string>());
        });
        using var client = server.CreateClient();
        var unqueued = k8s.KubernetesJson.Deserialize<V1Deployment>(Deployment(queue: null).ToJsonString());
        unqueued.Metadata.Labels[ServingWorkloads.ServingLabel] = "true";
        var queued = k8s.KubernetesJson.Deserialize<V1StatefulSet>(Deployment(queue: "inference", kind: "StatefulSet").ToJsonString());
        queued.Metadata.Name = "db";

        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.AppsV1.CreateNamespacedDeploymentAsync(unqueued, "ml"));
        await client.AppsV1.CreateNamespacedStatefulSetAsync(queued, "ml");

        Assert.Equal(403, (int)refused.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(refused.Response.Content);
        Assert.StartsWith("admission webhook \"vserving-intent.berth.dev\" denied the request: metadata.labels:", status.Message, StringComparison.Ordinal);
        Assert.Contains($"add {KubernetesNames.KueueQueueLabel}: <queue>", status.Message, StringComparison.Ordinal);
        Assert.Empty(server.List<V1Deployment>("ml")); // refused: nothing stored
        Assert.Equal("db", Assert.Single(server.List<V1StatefulSet>("ml")).Metadata.Name);
    }

    private static JsonObject Deployment(string? queue, string kind = "Deployment")
    {
        var labels = new JsonObject();
        if (queue is not null)
        {
            labels[KubernetesNames.KueueQueueLabel] = queue;
        }

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "ml", ["labels"] = labels },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "vllm", ["image"] = "vllm/vllm-openai:v0.6.0" }) },
                },
            },
        };
    }

    private static JsonObject Review(string group, string kind, JsonObject obj, string version = "v1") => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = "u-1",
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["namespace"] = "ml",
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "alice" },
            ["object"] = obj,
        },
    };

    /// <summary>Applies the answer's JSON patch (only the <c>add</c> ops the webhook writes) to a copy of <paramref name="obj"/>, as the API server does.</summary>
    private static JsonObject Apply(JsonObject obj, JsonObject answer)
    {
        var result = obj.DeepClone().AsObject();
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
        var patch = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(answer["response"]!["patch"]!.GetValue<string>())))!.AsArray();
        foreach (var op in patch)
        {
            Assert.Equal("add", op!["op"]!.GetValue<string>());
            var steps = op["path"]!.GetValue<string>().Split('/').Skip(1).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            JsonNode parent = result;
            foreach (var step in steps[..^1])
            {
                parent = parent[step] ?? throw new InvalidOperationException($"patch path {op["path"]} goes through a missing member {step}; the API server would refuse it");
            }

            parent[steps[^1]] = op["value"]!.DeepClone();
        }

        return result;
    }
}
