using Berth.Kubernetes.Api;

namespace Berth.Kubernetes.E2E;

/// <summary>Queue validity on a real API server: what passes the CRD schema but not Berth's rules gets <c>Ready=False</c>.</summary>
[Collection(ClusterCollection.Name)]
public sealed class QueueTests(ClusterFixture cluster)
{
    public sealed record InvalidQueueCase(string Name, string Suffix, bool UnknownFlavor, string? LendingLimit, string Reason, string MessagePart)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<InvalidQueueCase> InvalidQueues => new(
        new InvalidQueueCase("a queue naming a flavor that does not exist", "noflavor", UnknownFlavor: true, LendingLimit: null, ConditionReasons.UnknownFlavor, "spec.flavors[0].name"),
        new InvalidQueueCase("a queue lending more than its nominal quota", "overlend", UnknownFlavor: false, LendingLimit: "8", ConditionReasons.InvalidSpec, "lendingLimit"));

    [ClusterTheory]
    [MemberData(nameof(InvalidQueues))]
    public async Task Queue_Invalid_GetsReadyFalseWithTheReasonAndTheField(InvalidQueueCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        await using var s = await ClusterScenario.StartAsync(cluster, c.Suffix);
        var flavor = await s.CreateAsync(E2EObjects.Flavor(s, "a100", ClusterEnvironment.A100));
        var valid = await s.CreateAsync(E2EObjects.Queue(s, "valid", flavor.Metadata.Name, "4"));
        var invalid = await s.CreateAsync(E2EObjects.Queue(s, "invalid", c.UnknownFlavor ? s.Name("missing") : flavor.Metadata.Name, "4", c.LendingLimit));

        Queue? seen = null;
        var queue = await s.EventuallyAsync($"{invalid.Metadata.Name} gets Ready=False", async () =>
        {
            seen = await s.ReadQueueAsync(invalid.Metadata.Name);
            return seen?.Status?.Conditions?.FirstOrDefault(x => x.Type == ConditionTypes.Ready) is { Status: "False" } ? seen : null;
        }, () => Describe(seen));
        var ready = queue.Status.Conditions!.Single(x => x.Type == ConditionTypes.Ready);
        Assert.Equal(c.Reason, ready.Reason);
        Assert.Contains(c.MessagePart, ready.Message, StringComparison.Ordinal);

        // The invalid queue changes nothing for a valid one beside it.
        await s.EventuallyAsync($"{valid.Metadata.Name} gets Ready=True", async () =>
            await s.ReadQueueAsync(valid.Metadata.Name) is { } q && q.Status?.Conditions?.FirstOrDefault(x => x.Type == ConditionTypes.Ready) is { Status: "True", Reason: ConditionReasons.Valid } ? q : null);
    }

    internal static string Describe(Queue? queue) => queue is null
        ? "(no queue)"
        : $"status: {k8s.KubernetesJson.Serialize(queue.Status)}";
}
