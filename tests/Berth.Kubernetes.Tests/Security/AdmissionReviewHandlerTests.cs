using System.Text.Json.Nodes;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Webhook;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>The webhook's policy without HTTP: what it checks before the cache has synced, and bodies that are not reviews.</summary>
public sealed class AdmissionReviewHandlerTests
{
    private static JsonObject Review(JsonObject obj) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = "u-1",
            ["kind"] = new JsonObject { ["group"] = KubernetesNames.Group, ["version"] = KubernetesNames.Version, ["kind"] = "PodGroup" },
            ["namespace"] = "team-a",
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "alice" },
            ["object"] = obj,
        },
    };

    private static JsonObject Group(string? priorityClass, string? record) => new()
    {
        ["kind"] = "PodGroup",
        ["metadata"] = new JsonObject { ["name"] = "g", ["annotations"] = record is null ? null : new JsonObject { [AdmissionRecord.AnnotationName] = record } },
        ["spec"] = new JsonObject { ["minMember"] = 1, ["queue"] = "q", ["priorityClassName"] = priorityClass },
    };

    [Fact]
    public void Validate_BeforeTheCacheSynced_SkipsLookupsButStillRefusesForgedRecords()
    {
        var unsynced = new WebhookView(() => false, _ => null, _ => null, _ => null);
        var handler = new AdmissionReviewHandler("system:serviceaccount:berth-system:berth", unsynced);

        var missingClass = handler.Validate(Review(Group("nope", null)));
        var forged = handler.Validate(Review(Group(null, "{\"flavor\":\"a100\"}")));

        Assert.True(missingClass["response"]!["allowed"]!.GetValue<bool>()); // unknown until the cache has listed: not refused by mistake
        Assert.False(forged["response"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void Validate_ATenantSettingTheIdleReclaimedAnnotation_IsRefusedNamingIt()
    {
        var handler = new AdmissionReviewHandler("system:serviceaccount:berth-system:berth", new WebhookView(() => false, _ => null, _ => null, _ => null));
        var group = Group(null, null);
        group["metadata"]!["annotations"] = new JsonObject { [KubernetesNames.IdleReclaimedAnnotation] = "2026-01-01T00:00:00.000Z" };

        var answer = handler.Validate(Review(group));

        Assert.False(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Contains(KubernetesNames.IdleReclaimedAnnotation, answer["response"]!["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AfterSync_RefusesAMissingClass()
    {
        var handler = new AdmissionReviewHandler("system:serviceaccount:berth-system:berth", WebhookView.Of([], [], []));

        var answer = handler.Validate(Review(Group("nope", null)));

        Assert.False(answer["response"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void Validate_ABodyWithoutARequestUid_IsRefusedAsBadInput()
    {
        var handler = new AdmissionReviewHandler("system:serviceaccount:berth-system:berth", WebhookView.Of([], [], []));

        var error = Assert.Throws<ArgumentException>(() => handler.Validate(new JsonObject { ["kind"] = "AdmissionReview" }));

        Assert.Contains("request.uid", error.Message, StringComparison.Ordinal);
    }
}
