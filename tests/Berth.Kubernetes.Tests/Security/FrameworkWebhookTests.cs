using System.Text.Json.Nodes;
using Berth.Kubernetes.Frameworks;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Webhook;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>The validating webhook on queued job framework objects: the version, the spec and the suspend field, each refusal naming the field and the fix.</summary>
public sealed class FrameworkWebhookTests
{
    private const string Berth = "system:serviceaccount:berth-system:berth";

    private static readonly AdmissionReviewHandler Handler = new(Berth, new WebhookView(() => false, _ => null, _ => null, _ => null));

    private static JsonObject Review(JsonObject obj, string operation = "CREATE", JsonObject? old = null, string user = "alice")
    {
        var (apiVersion, kind) = (obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>());
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = "u-1",
                ["kind"] = new JsonObject { ["group"] = apiVersion.Split('/')[0], ["version"] = apiVersion.Split('/')[1], ["kind"] = kind },
                ["namespace"] = Objects.Ns,
                ["operation"] = operation,
                ["userInfo"] = new JsonObject { ["username"] = user },
                ["object"] = obj,
                ["oldObject"] = old,
            },
        };
    }

    private static (bool Allowed, string? Message) Answer(JsonObject review)
    {
        var response = Handler.Validate(review)["response"]!;
        return (response["allowed"]!.GetValue<bool>(), response["status"]?["message"]?.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(FrameworkSamples.SuspendKinds), MemberType = typeof(FrameworkSamples))]
    public void QueuedAndSuspended_IsAllowed(string kind) =>
        Assert.True(Answer(Review(FrameworkSamples.Build(kind, "ok", "team-a", workers: 1, gpus: 4))).Allowed);

    [Fact]
    public void UnknownVersion_IsRefusedNamingApiVersionAndTheVersionToWrite()
    {
        var obj = FrameworkSamples.Build("JobSet", "future", "team-a", workers: 1, gpus: 4);
        obj["apiVersion"] = "jobset.x-k8s.io/v9";

        var (allowed, message) = Answer(Review(obj));

        Assert.False(allowed);
        Assert.Equal("apiVersion: jobset.x-k8s.io/v9 is a version of JobSet Berth does not read; write apiVersion: jobset.x-k8s.io/v1alpha2 (or remove the queue label to run it without Berth)", message);
    }

    [Fact]
    public void MalformedSpec_IsRefusedNamingTheField()
    {
        var obj = FrameworkSamples.Build("RayJob", "broken", "team-a", workers: 1, gpus: 4);
        JsonFields.At(obj, "spec", "rayClusterSpec", "workerGroupSpecs", 0)!["replicas"] = "two";

        var (allowed, message) = Answer(Review(obj));

        Assert.False(allowed);
        Assert.Contains("spec.rayClusterSpec.workerGroupSpecs[0].replicas is '\"two\"', which is not a whole number", message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreatedRunning_OrResumedByATenant_IsRefusedNamingTheSuspendField_ButBerthMayResumeIt()
    {
        var running = FrameworkSamples.Build("PyTorchJob", "p", "team-a", workers: 1, gpus: 4);
        running["spec"]!["runPolicy"]!["suspend"] = false;
        var suspended = FrameworkSamples.Build("PyTorchJob", "p", "team-a", workers: 1, gpus: 4);

        var created = Answer(Review(running));
        var resumed = Answer(Review(running.DeepClone().AsObject(), "UPDATE", suspended));
        var byBerth = Answer(Review(running.DeepClone().AsObject(), "UPDATE", suspended.DeepClone().AsObject(), Berth));

        Assert.False(created.Allowed);
        Assert.StartsWith("spec.runPolicy.suspend: ", created.Message, StringComparison.Ordinal);
        Assert.False(resumed.Allowed);
        Assert.True(byBerth.Allowed);
    }

    [Fact]
    public void MadeByAnotherFrameworkObject_IsLeftToItsOwner()
    {
        var child = FrameworkSamples.Build("JobSet", "trainjob-child", "team-a", workers: 1, gpus: 4);
        child["spec"]!["suspend"] = false;
        child["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "trainer.kubeflow.org/v1alpha1", ["kind"] = "TrainJob", ["name"] = "t", ["uid"] = "u" });

        Assert.True(Answer(Review(child)).Allowed);
    }

    [Fact]
    public void NoQueueLabel_IsNotBerths()
    {
        var obj = FrameworkSamples.Build("JobSet", "free", "team-a", workers: 1, gpus: 4);
        obj["metadata"]!.AsObject().Remove("labels");
        obj["apiVersion"] = "jobset.x-k8s.io/v9";

        Assert.True(Answer(Review(obj)).Allowed);
    }
}
