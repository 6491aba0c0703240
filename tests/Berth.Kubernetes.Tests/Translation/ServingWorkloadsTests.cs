using Berth.Kubernetes.Translation;
using Berth.Model;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class ServingWorkloadsTests
{
    public sealed record OwnerCase(string Name, string? Kind, string? OwnerName, string? Hash, string ApiVersion, string? Expected)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<OwnerCase> Owners => new(
        new OwnerCase("a pod of a Deployment's ReplicaSet is a replica of the Deployment", "ReplicaSet", "web-5d8f7c9b4", "5d8f7c9b4", "apps/v1", "deployment/ml/web"),
        new OwnerCase("a Deployment whose name has dashes keeps them", "ReplicaSet", "llm-chat-7b-6f9", "6f9", "apps/v1", "deployment/ml/llm-chat-7b"),
        new OwnerCase("a ReplicaSet whose name does not end in the pod-template-hash is its own group", "ReplicaSet", "web", "5d8f7c9b4", "apps/v1", "replicaset/ml/web"),
        new OwnerCase("a ReplicaSet without pod-template-hash is its own group", "ReplicaSet", "web-abc", null, "apps/v1", "replicaset/ml/web-abc"),
        new OwnerCase("a pod of a StatefulSet is a replica of it", "StatefulSet", "db", null, "apps/v1", "statefulset/ml/db"),
        new OwnerCase("a Job's pod is not serving", "Job", "train", null, "batch/v1", null),
        new OwnerCase("a DaemonSet's pod is not serving", "DaemonSet", "agent", null, "apps/v1", null),
        new OwnerCase("a StatefulSet of another API group is not read", "StatefulSet", "db", null, "example.com/v1", null),
        new OwnerCase("a pod without owner is not serving", null, null, null, "apps/v1", null));

    [Theory]
    [MemberData(nameof(Owners))]
    public void GroupOf_OwnerReference_NamesTheServingWorkload(OwnerCase c)
    {
        var meta = new V1ObjectMeta { Name = "p", NamespaceProperty = "ml", Labels = new Dictionary<string, string>() };
        if (c.Hash is not null)
        {
            meta.Labels[ServingWorkloads.PodTemplateHashLabel] = c.Hash;
        }

        if (c.Kind is not null)
        {
            meta.OwnerReferences = [new V1OwnerReference { ApiVersion = c.ApiVersion, Kind = c.Kind, Name = c.OwnerName, Uid = "u", Controller = true }];
        }

        Assert.Equal(c.Expected, ServingWorkloads.GroupOf(meta));
    }

    [Fact]
    public void AsReplica_TemplateNamesNoClass_TakesTheServingClassPriority()
    {
        var classes = new Dictionary<string, PriorityClass>(StringComparer.Ordinal) { ["berth-serving"] = new PriorityClass("berth-serving", 1000) { Preemptible = false } };
        var warnings = new List<string>();

        var replica = ServingWorkloads.AsReplica(Replica(), "deployment/ml/web", namesClass: false, "berth-serving", classes, warnings);

        Assert.Equal("deployment/ml/web", replica.ServingGroup);
        Assert.Equal(1000, replica.Priority);
        Assert.Equal(1000, replica.PodSets[0].Template.Priority);
        Assert.False(replica.Preemptible);
        Assert.Empty(warnings);
    }

    [Fact]
    public void AsReplica_TemplateNamesAClass_KeepsItsOwnPriority()
    {
        var classes = new Dictionary<string, PriorityClass>(StringComparer.Ordinal) { ["berth-serving"] = new PriorityClass("berth-serving", 1000) };

        var replica = ServingWorkloads.AsReplica(Replica(), "statefulset/ml/db", namesClass: true, "berth-serving", classes, []);

        Assert.Equal("statefulset/ml/db", replica.ServingGroup);
        Assert.Equal(5, replica.Priority);
    }

    [Fact]
    public void AsReplica_ServingClassMissing_KeepsPriorityAndSaysHowToCreateIt()
    {
        var warnings = new List<string>();

        var replica = ServingWorkloads.AsReplica(Replica(), "deployment/ml/web", namesClass: false, "berth-serving", new Dictionary<string, PriorityClass>(), warnings);

        Assert.Equal(5, replica.Priority);
        Assert.Contains("PriorityClass berth-serving, which does not exist", Assert.Single(warnings), StringComparison.Ordinal);
    }

    private static Workload Replica() => new("pod/ml/web-0")
    {
        Queue = "inference",
        Priority = 5,
        PodSets = [new PodSet("main", 1, new Pod { Name = "main", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 1, GpuMilli = 1000, Priority = 5 })],
    };
}
