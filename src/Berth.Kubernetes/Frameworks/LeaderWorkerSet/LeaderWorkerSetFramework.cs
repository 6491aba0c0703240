using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks.LeaderWorkerSet;

/// <summary>
/// LeaderWorkerSet (<c>leaderworkerset.x-k8s.io/v1</c>): <c>spec.replicas</c> groups of
/// <c>spec.leaderWorkerTemplate.size</c> pods, a leader (<c>leaderTemplate</c>, else <c>workerTemplate</c>) and
/// size − 1 workers. It has no suspend: as Kueue does, each group is its own gang, held back at the pods (Berth binds
/// them, all of a group or none, once the whole group exists); pods carry <c>leaderworkerset.sigs.k8s.io/name</c>
/// and their group's <see cref="GroupIndexLabel"/>.
/// </summary>
public sealed class LeaderWorkerSetFramework : Framework
{
    /// <summary>The pod label with the index of the group a pod belongs to.</summary>
    public const string GroupIndexLabel = "leaderworkerset.sigs.k8s.io/group-index";

    public override string Group => "leaderworkerset.x-k8s.io";

    public override string Version => "v1";

    public override string Kind => "LeaderWorkerSet";

    public override string Plural => "leaderworkersets";

    public override string MemberLabel => "leaderworkerset.sigs.k8s.io/name";

    /// <summary>The pod label with a pod's index in its group: 0 is the leader.</summary>
    public const string WorkerIndexLabel = "leaderworkerset.sigs.k8s.io/worker-index";

    public override IReadOnlyList<string>? SuspendPath => null;

    /// <summary>A LeaderWorkerSet serves: each group is a replica (a gang), spread across nodes, racks and zones.</summary>
    public override bool Serves => true;

    public override string? PodSetOf(IDictionary<string, string>? labels) =>
        labels?.TryGetValue(WorkerIndexLabel, out var index) == true ? (index == "0" ? "leader" : "worker") : null;

    /// <summary>One gang per group: <c>spec.replicas</c>, the leader set's count.</summary>
    public override int Gangs(IReadOnlyList<FrameworkPodSet> sets) => sets is [var leader, ..] ? leader.Count : 1;

    /// <summary>Reads the pod sets of all groups: <c>leader</c> (one per group), <c>worker</c> (size − 1 per group, when size is above 1).</summary>
    public override string? ReadPodSets(JsonObject spec, List<FrameworkPodSet> sets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sets);
        var replicas = JsonFields.Int(spec["replicas"], "spec.replicas", 1, out var error);
        var size = JsonFields.Int(JsonFields.At(spec, "leaderWorkerTemplate", "size"), "spec.leaderWorkerTemplate.size", 1, out var error2);
        if ((error ?? error2) is { } bad)
        {
            return bad;
        }

        if (replicas < 0 || size < 1)
        {
            return $"spec.replicas is {replicas} and spec.leaderWorkerTemplate.size {size}; write replicas of 0 or more and a size of 1 or more";
        }

        if (JsonFields.At(spec, "leaderWorkerTemplate", "workerTemplate") is not JsonObject worker)
        {
            return "spec.leaderWorkerTemplate.workerTemplate is missing; give the pod template of the group's workers";
        }

        if (replicas == 0)
        {
            return null;
        }

        var leader = JsonFields.At(spec, "leaderWorkerTemplate", "leaderTemplate") as JsonObject;
        sets.Add(new FrameworkPodSet("leader", replicas!.Value, leader is null ? "spec.leaderWorkerTemplate.workerTemplate" : "spec.leaderWorkerTemplate.leaderTemplate", leader ?? worker, null));
        if (size > 1)
        {
            sets.Add(new FrameworkPodSet("worker", replicas.Value * (size!.Value - 1), "spec.leaderWorkerTemplate.workerTemplate", worker, null));
        }

        return null;
    }

    /// <summary>A LeaderWorkerSet serves until deleted: never finished.</summary>
    public override bool Finished(FrameworkObject obj) => false;
}
