using System.Text.Json.Nodes;
using Berth.Kubernetes.Frameworks;
using Berth.Kubernetes.Tests.Controller;
using k8s;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class FrameworkTranslatorTests
{
    private static FrameworkObject Parse(JsonObject json) => KubernetesJson.Deserialize<FrameworkObject>(json.ToJsonString());

    private static Berth.Kubernetes.Translation.WorkloadResult Translate(JsonObject json, int? gang = null)
    {
        var obj = Parse(json);
        return FrameworkTranslator.FromObject(obj, FrameworkRegistry.Find(obj.ApiVersion, obj.Kind)!, "team-a", DateTimeOffset.UnixEpoch, gang: gang);
    }

    [Fact]
    public void JobSet_PodSetsAreReplicasTimesParallelism_AtMostCompletions()
    {
        var json = FrameworkSamples.Build("JobSet", "js", "team-a", workers: 2, gpus: 4);
        var workers = JsonFields.At(json, "spec", "replicatedJobs", 1, "template", "spec")!.AsObject();
        workers["parallelism"] = 4;
        workers["completions"] = 3;

        var result = Translate(json);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("jobset/default/js", result.Workload!.Id);
        Assert.Equal([("leader", 1), ("workers", 6)], result.Workload.PodSets.Select(s => (s.Name, s.Count)));
        Assert.All(result.Workload.PodSets, s => Assert.Equal(s.Count, s.MinCount));
    }

    public static TheoryData<string, Action<JsonObject>, string> BadSpecs => new()
    {
        { "JobSet", j => j["spec"]!["replicatedJobs"] = new JsonArray(), "spec.replicatedJobs is missing or empty" },
        { "JobSet", j => JsonFields.At(j, "spec", "replicatedJobs", 0)!["replicas"] = 0, "spec.replicatedJobs[0] runs 0 pods" },
        { "TrainJob", j => j["spec"]!["trainer"]!["numNodes"] = 0, "spec.trainer.numNodes is 0" },
        { "PyTorchJob", j => j["spec"]!.AsObject().Remove("pytorchReplicaSpecs"), "spec.pytorchReplicaSpecs is missing or empty" },
        { "RayJob", j => j["spec"]!["clusterSelector"] = new JsonObject { ["ray.io/cluster"] = "shared" }, "spec.clusterSelector names an existing RayCluster" },
        { "RayCluster", j => j["spec"]!.AsObject().Remove("headGroupSpec"), "spec.headGroupSpec.template is missing" },
        { "JobSet", j => j.Remove("spec"), "spec is missing" },
        { "JobSet", j => j["apiVersion"] = "jobset.x-k8s.io/v1alpha1", "apiVersion is jobset.x-k8s.io/v1alpha1, a version of JobSet Berth does not read; write apiVersion: jobset.x-k8s.io/v1alpha2" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void BadSpec_IsInvalid_NamingTheFieldAndTheFix(string kind, Action<JsonObject> spoil, string expected)
    {
        var json = FrameworkSamples.Build(kind, "bad", "team-a", workers: 1, gpus: 4);
        spoil(json);

        var result = Translate(json);

        Assert.False(result.IsValid);
        Assert.Equal("InvalidSpec", result.Reason);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{kind.ToLowerInvariant()}/default/bad: ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeaderWorkerSet_OneGang_IsOneGroupOfALeaderAndItsWorkers()
    {
        var json = FrameworkSamples.LeaderWorkerSet("serve", "team-a", replicas: 3, size: 4, gpus: 8);

        var result = Translate(json, gang: 2);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("leaderworkerset/default/serve/2", result.Workload!.Id);
        Assert.Equal([("leader", 1), ("worker", 3)], result.Workload.PodSets.Select(s => (s.Name, s.Count)));
    }

    [Fact]
    public void NoQueue_IsNoQueue_NamingTheLabel()
    {
        var obj = Parse(FrameworkSamples.Build("RayCluster", "rc", "team-a", workers: 1, gpus: 4));

        var result = FrameworkTranslator.FromObject(obj, FrameworkRegistry.Find(obj.ApiVersion, obj.Kind)!, null, DateTimeOffset.UnixEpoch);

        Assert.Equal("NoQueue", result.Reason);
        Assert.Contains(KubernetesNames.KueueQueueLabel, result.Message, StringComparison.Ordinal);
    }
}
