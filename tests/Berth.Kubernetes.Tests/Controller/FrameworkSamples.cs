using System.Text.Json.Nodes;
using Berth.Kubernetes.Frameworks;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// Objects of each job framework as their published schemas spell them, queued and suspended, with one pod set of
/// one pod and one of <c>workers</c> pods (a TrainJob, whose templates live in its runtime: one set of 1 + workers
/// nodes); and the pods each framework's controller makes for them, with its labels.
/// </summary>
internal static class FrameworkSamples
{
    /// <summary>The kinds with a suspend field.</summary>
    public static TheoryData<string> SuspendKinds => ["JobSet", "TrainJob", "PyTorchJob", "RayJob", "RayCluster"];

    public static Framework Of(string kind) => FrameworkRegistry.All.Single(f => f.Kind == kind);

    public static JsonObject Template(int gpus, string scheduler = KubernetesNames.SchedulerName) => JsonNode.Parse($$$"""
        {"metadata": {"labels": {"app": "train"}},
         "spec": {"schedulerName": "{{{scheduler}}}", "restartPolicy": "Never",
                  "containers": [{"name": "main", "image": "trainer:latest",
                                  "resources": {"requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "{{{gpus}}}"},
                                                "limits": {"nvidia.com/gpu": "{{{gpus}}}"} } }] } }
        """)!.AsObject();

    public static JsonObject Build(string kind, string name, string queue, int workers, int gpus, string ns = Objects.Ns)
    {
        var framework = Of(kind);
        JsonObject spec = kind switch
        {
            "JobSet" => new JsonObject
            {
                ["suspend"] = true,
                ["replicatedJobs"] = new JsonArray(ReplicatedJob("leader", 1, gpus), ReplicatedJob("workers", workers, gpus)),
            },
            "TrainJob" => new JsonObject
            {
                ["suspend"] = true,
                ["runtimeRef"] = new JsonObject { ["name"] = "torch-distributed" },
                ["trainer"] = new JsonObject
                {
                    ["image"] = "trainer:latest",
                    ["numNodes"] = workers + 1,
                    ["resourcesPerNode"] = JsonNode.Parse($$$"""{"requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "{{{gpus}}}"}, "limits": {"nvidia.com/gpu": "{{{gpus}}}"}}"""),
                },
            },
            "PyTorchJob" => new JsonObject
            {
                ["runPolicy"] = new JsonObject { ["suspend"] = true },
                ["pytorchReplicaSpecs"] = new JsonObject
                {
                    ["Master"] = new JsonObject { ["replicas"] = 1, ["restartPolicy"] = "OnFailure", ["template"] = Template(gpus) },
                    ["Worker"] = new JsonObject { ["replicas"] = workers, ["restartPolicy"] = "OnFailure", ["template"] = Template(gpus) },
                },
            },
            "RayJob" => new JsonObject
            {
                ["suspend"] = true,
                ["entrypoint"] = "python train.py",
                ["rayClusterSpec"] = RayCluster(workers, gpus),
            },
            "RayCluster" => RayCluster(workers, gpus).Also(c => c["suspend"] = true),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no sample"),
        };
        return new JsonObject
        {
            ["apiVersion"] = framework.ApiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [KubernetesNames.KueueQueueLabel] = queue },
            },
            ["spec"] = spec,
        };
    }

    /// <summary>A LeaderWorkerSet of <paramref name="replicas"/> groups of <paramref name="size"/> pods (a leader and workers alike).</summary>
    public static JsonObject LeaderWorkerSet(string name, string queue, int replicas, int size, int gpus, string scheduler = KubernetesNames.SchedulerName, string ns = Objects.Ns) => new()
    {
        ["apiVersion"] = "leaderworkerset.x-k8s.io/v1",
        ["kind"] = "LeaderWorkerSet",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { [KubernetesNames.KueueQueueLabel] = queue },
        },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["leaderWorkerTemplate"] = new JsonObject { ["size"] = size, ["workerTemplate"] = Template(gpus, scheduler) },
        },
    };

    /// <summary>The pods the framework's controller makes for a resumed object: (name, labels, GPUs) with the member and pod-set labels.</summary>
    public static IReadOnlyList<(string Name, Dictionary<string, string> Labels)> Pods(string kind, string name, int workers)
    {
        var framework = Of(kind);
        var member = kind == "RayJob" ? name + "-raycluster" : name;
        var (setLabel, first, rest) = kind switch
        {
            "JobSet" => ("jobset.sigs.k8s.io/replicatedjob-name", "leader", "workers"),
            "TrainJob" => ("jobset.sigs.k8s.io/replicatedjob-name", "node", "node"),
            "PyTorchJob" => ("training.kubeflow.org/replica-type", "master", "worker"),
            _ => ("ray.io/group", "headgroup", "gpu-workers"),
        };
        var pods = new List<(string, Dictionary<string, string>)>();
        for (var i = 0; i <= workers; i++)
        {
            pods.Add(($"{name}-{i}", new Dictionary<string, string> { [framework.MemberLabel] = member, [setLabel] = i == 0 ? first : rest }));
        }

        return pods;
    }

    private static JsonObject ReplicatedJob(string name, int replicas, int gpus) => new()
    {
        ["name"] = name,
        ["replicas"] = replicas,
        ["template"] = new JsonObject { ["spec"] = new JsonObject { ["parallelism"] = 1, ["completions"] = 1, ["template"] = Template(gpus) } },
    };

    private static JsonObject RayCluster(int workers, int gpus) => new()
    {
        ["headGroupSpec"] = new JsonObject { ["rayStartParams"] = new JsonObject(), ["template"] = Template(gpus) },
        ["workerGroupSpecs"] = new JsonArray(new JsonObject
        {
            ["groupName"] = "gpu-workers",
            ["replicas"] = workers,
            ["minReplicas"] = 0,
            ["maxReplicas"] = workers,
            ["rayStartParams"] = new JsonObject(),
            ["template"] = Template(gpus),
        }),
    };

    private static JsonObject Also(this JsonObject obj, Action<JsonObject> change)
    {
        change(obj);
        return obj;
    }
}
