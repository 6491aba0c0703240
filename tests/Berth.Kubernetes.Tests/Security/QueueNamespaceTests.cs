using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Translation;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>Issue 12, finding 4: a Queue admits only workloads from the namespaces its namespaceSelector allows.</summary>
public sealed class QueueNamespaceTests
{
    private static Berth.Kubernetes.Api.Queue Selective(string name, V1LabelSelector selector)
    {
        var queue = Objects.Queue(name, "a100", "16");
        return queue with { Spec = queue.Spec with { NamespaceSelector = selector } };
    }

    private static V1Namespace Namespace(string name, string? team) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = name, Labels = team is null ? null : new Dictionary<string, string> { ["team"] = team } },
    };

    [Fact]
    public async Task JobFromANamespaceTheQueueDoesNotAllow_WaitsWithQueueNotAllowed_WhileAnAllowedOneIsAdmitted()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Namespace("alpha", "a"));
        h.Server.Seed(Namespace("beta", "b"));
        h.SeedCluster(2, 8, Selective("team-a", new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } }));
        h.Server.Seed(Objects.Job("mine", 1, 8, "team-a", ns: "alpha")); // the Kueue queue label, as Kueue users write it
        h.Server.Seed(Objects.Job("theirs", 1, 8, "team-a", ns: "beta"));

        await h.RunUntilQuietAsync();

        Assert.False(h.ReadJob("mine", "alpha").Spec.Suspend);
        var refused = h.ReadJob("theirs", "beta");
        Assert.True(refused.Spec.Suspend);
        Assert.StartsWith(DecisionPlanner.QueueNotAllowedReason, refused.Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation], StringComparison.Ordinal);
        Assert.Contains("namespace beta may not use queue team-a", refused.Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodGroupFromANamespaceNotNamed_IsNotBound()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Selective("team-a", new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = NamespaceAccess.NameLabel, OperatorProperty = "In", Values = ["alpha"] }] }));
        h.Server.Seed(Objects.Group("g", 1, "team-a", ns: "default"));
        h.Server.Seed(Objects.Pod("g-0", gpus: 8, group: "g"));

        await h.RunUntilQuietAsync();

        Assert.Null(h.ReadPod("g-0").Spec.NodeName);
        var group = h.Server.Get<Berth.Kubernetes.Api.PodGroup>("g", Objects.Ns)!;
        Assert.Equal(DecisionPlanner.QueueNotAllowedReason, group.Status?.PendingReason?.Code);
    }

    public sealed record SelectorCase(string Name, V1LabelSelector? Selector, Dictionary<string, string> Labels, bool Allowed)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<SelectorCase> Cases => new(
        new SelectorCase("no selector allows every namespace", null, new() { ["x"] = "1" }, true),
        new SelectorCase("an empty selector allows every namespace", new V1LabelSelector(), new() { ["x"] = "1" }, true),
        new SelectorCase("matchLabels needs the label with that value", new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } }, new() { ["team"] = "b" }, false),
        new SelectorCase("matchLabels matches the same value", new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } }, new() { ["team"] = "a" }, true),
        new SelectorCase("NotIn allows a namespace without the label", new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "team", OperatorProperty = "NotIn", Values = ["b"] }] }, new() { ["y"] = "1" }, true),
        new SelectorCase("DoesNotExist refuses a namespace with the label", new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "team", OperatorProperty = "DoesNotExist" }] }, new() { ["team"] = "a" }, false),
        new SelectorCase("an unknown operator refuses", new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "team", OperatorProperty = "Gt", Values = ["1"] }] }, new() { ["team"] = "2" }, false));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Allows_Selector_MatchesAsKubernetesDoes(SelectorCase c)
    {
        var queue = Objects.Queue("q", "a100", "8");
        queue = queue with { Spec = queue.Spec with { NamespaceSelector = c.Selector } };

        Assert.Equal(c.Allowed, NamespaceAccess.Allows(queue, c.Labels));
    }
}
