using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Tests.Controller;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Dra;

/// <summary>
/// Pods with DRA claims end to end against the fake API server: the claim made from the template, its devices chosen
/// by CEL selectors on the node whose slice has them, written as the claim's allocation and reservation before the
/// pod is bound; bad selectors and classes refused with the field and the fix.
/// </summary>
public sealed class DraBindingTests
{
    private static async Task<ControllerHarness> ClusterAsync()
    {
        var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Objects.GpuNode("node-a", gpus: 0));
        h.Server.Seed(Objects.GpuNode("node-b", gpus: 0));
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(DraSamples.GpuClass());
        h.Server.Seed(DraSamples.Slice("node-a", DraSamples.A100, DraSamples.A100, DraSamples.A100, DraSamples.A100));
        h.Server.Seed(DraSamples.Slice("node-b", DraSamples.A100, DraSamples.H100, DraSamples.H100, DraSamples.H100, DraSamples.H100));
        return h;
    }

    private static string Unschedulable(DecisionPlan plan, string pod) =>
        plan.Unschedulable.Where(u => u.Pod == pod).Select(u => $"{u.Reason}: {u.Message}").LastOrDefault() ?? "";

    private static Resourcev1ResourceClaim ClaimOf(ControllerHarness h, V1Pod pod)
    {
        var name = pod.Status?.ResourceClaimStatuses?.Single(s => s.Name == "gpus").ResourceClaimName;
        return h.Server.Get<Resourcev1ResourceClaim>(name!, Objects.Ns) ?? throw new InvalidOperationException($"claim {name} is gone");
    }

    private static string[] Devices(Resourcev1ResourceClaim claim) =>
        claim.Status.Allocation.Devices.Results.Select(r => $"{r.Driver}/{r.Pool}/{r.Device}").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task TemplateClaimForTwoH100s_LandsOnTheNodeWithThem_AndTheClaimNamesExactlyThoseDevices()
    {
        await using var h = await ClusterAsync();
        h.Server.Seed(DraSamples.Template("two-h100", 2, DraSamples.IsH100));
        h.Server.Seed(DraSamples.PodWithTemplate("train", "two-h100"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.True(plan.Bindings.Count == 1, ControllerHarness.Describe(plan));
        var pod = h.ReadPod("train");
        Assert.Equal("node-b", pod.Spec.NodeName);
        var claim = ClaimOf(h, pod);
        Assert.StartsWith("train-gpus-", claim.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("gpus", claim.Metadata.Annotations["resource.kubernetes.io/pod-claim-name"]);
        Assert.Equal(pod.Metadata.Uid, Assert.Single(claim.Metadata.OwnerReferences).Uid);
        Assert.Equal(["gpu.nvidia.com/node-b/gpu-1", "gpu.nvidia.com/node-b/gpu-2"], Devices(claim));
        Assert.All(claim.Status.Allocation.Devices.Results, r => Assert.Equal("gpus", r.Request));
        Assert.Equal("node-b", claim.Status.Allocation.NodeSelector.NodeSelectorTerms.Single().MatchFields.Single().Values.Single());
        var consumer = Assert.Single(claim.Status.ReservedFor);
        Assert.Equal(("pods", "train", pod.Metadata.Uid), (consumer.Resource, consumer.Name, consumer.Uid));
    }

    [Fact]
    public async Task SecondPod_GetsOtherDevices_AndAThirdWaitsUntilDevicesArePublished()
    {
        await using var h = await ClusterAsync();
        h.Server.Seed(DraSamples.Template("two-h100", 2, DraSamples.IsH100));
        h.Server.Seed(DraSamples.PodWithTemplate("first", "two-h100"));
        h.Server.Seed(DraSamples.PodWithTemplate("second", "two-h100"));
        h.Server.Seed(DraSamples.PodWithTemplate("third", "two-h100"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.True(plan.Bindings.Count == 2, ControllerHarness.Describe(plan));
        var first = Devices(ClaimOf(h, h.ReadPod("first")));
        var second = Devices(ClaimOf(h, h.ReadPod("second")));
        Assert.Empty(first.Intersect(second));
        Assert.Equal(4, first.Concat(second).Count(d => d.StartsWith("gpu.nvidia.com/node-b/", StringComparison.Ordinal)));
        Assert.Null(h.ReadPod("third").Spec.NodeName);
        Assert.Contains(DecisionPlanner.WaitingForDevicesReason, Unschedulable(plan, "third"), StringComparison.Ordinal);
        Assert.DoesNotContain(h.Server.List<Resourcev1ResourceClaim>(Objects.Ns), c => c.Metadata.Name.StartsWith("third-", StringComparison.Ordinal));

        h.Server.Seed(Objects.GpuNode("node-c", gpus: 0));
        h.Server.Seed(DraSamples.Slice("node-c", DraSamples.H100, DraSamples.H100));
        await h.RunUntilQuietAsync();

        var third = h.ReadPod("third");
        Assert.Equal("node-c", third.Spec.NodeName);
        Assert.Equal(["gpu.nvidia.com/node-c/gpu-0", "gpu.nvidia.com/node-c/gpu-1"], Devices(ClaimOf(h, third)));
    }

    [Fact]
    public async Task SharedClaim_IsAllocatedOnce_AndReservedForBothPodsOnOneNode()
    {
        await using var h = await ClusterAsync();
        h.Server.Seed(DraSamples.Claim("shared", 1, DraSamples.IsH100));
        h.Server.Seed(DraSamples.PodWithClaim("reader-0", "shared"));
        h.Server.Seed(DraSamples.PodWithClaim("reader-1", "shared"));

        await h.RunUntilQuietAsync();

        var claim = h.Server.Get<Resourcev1ResourceClaim>("shared", Objects.Ns)!;
        Assert.Equal(["gpu.nvidia.com/node-b/gpu-1"], Devices(claim));
        Assert.Equal(["reader-0", "reader-1"], claim.Status.ReservedFor.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(new[] { "reader-0", "reader-1" }, p => Assert.Equal("node-b", h.ReadPod(p).Spec.NodeName));
    }

    public static TheoryData<string, string[], string[]> BadClaims => new()
    {
        {
            "a selector that does not compile",
            ["device.attributes[\"gpu.nvidia.com\"].productName =="],
            ["spec.spec.devices.requests[0].exactly.selectors[0].cel.expression", "does not compile", "write a boolean expression"]
        },
        {
            "a selector that returns a string",
            ["device.driver"],
            ["spec.spec.devices.requests[0].exactly.selectors[0].cel.expression", "not a bool", "must be true or false"]
        },
        {
            "a selector on an attribute the devices lack",
            ["device.attributes[\"gpu.nvidia.com\"].cudaCores > 10000"],
            ["spec.spec.devices.requests[0].exactly.selectors[0].cel.expression", "fails on device", "has("]
        },
    };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public async Task BadSelector_NamesTheFieldAndTheFix_AndAllocatesNothing(string why, string[] selectors, string[] expected)
    {
        await using var h = await ClusterAsync();
        h.Server.Seed(DraSamples.Template("bad", 1, selectors));
        h.Server.Seed(DraSamples.PodWithTemplate("train", "bad"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.True(plan.Bindings.Count == 0, why);
        var message = Unschedulable(plan, "train");
        Assert.All(expected, e => Assert.Contains(e, message, StringComparison.Ordinal));
        Assert.Contains(plan.Events, e => e.About.Name == "train" && e.Message.Contains("cel.expression", StringComparison.Ordinal));
        Assert.Empty(h.Server.List<Resourcev1ResourceClaim>(Objects.Ns));
        Assert.Null(h.ReadPod("train").Spec.NodeName);
    }

    [Fact]
    public async Task BadSelectorOnAClaim_IsReportedOnTheClaimOnce()
    {
        await using var h = await ClusterAsync();
        h.Server.Seed(DraSamples.Claim("broken", 1, "device.driver"));
        h.Server.Seed(DraSamples.PodWithClaim("train", "broken"));

        var first = await h.CycleAsync();
        await h.SettleAsync();
        var second = await h.CycleAsync();

        var onClaim = Assert.Single(first.Events, e => e.About.Kind == "ResourceClaim");
        Assert.Equal(("broken", DecisionPlanner.InvalidDeviceClaimReason, "Warning"), (onClaim.About.Name, onClaim.Reason, onClaim.Type));
        Assert.Contains("ResourceClaim default/broken spec.devices.requests[0].exactly.selectors[0].cel.expression", onClaim.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(second.Events, e => e.About.Kind == "ResourceClaim");
        Assert.Null(h.Server.Get<Resourcev1ResourceClaim>("broken", Objects.Ns)!.Status?.Allocation);
    }

    [Fact]
    public async Task UnknownDeviceClass_NamesTheFieldAndTheFix()
    {
        await using var h = await ClusterAsync();
        var template = DraSamples.Template("tpu", 1);
        template.Spec.Spec.Devices.Requests[0].Exactly.DeviceClassName = "tpu.example.com";
        h.Server.Seed(template);
        h.Server.Seed(DraSamples.PodWithTemplate("train", "tpu"));

        var plan = await h.CycleAsync();

        var message = Unschedulable(plan, "train");
        Assert.Contains("spec.spec.devices.requests[0].exactly.deviceClassName", message, StringComparison.Ordinal);
        Assert.Contains("DeviceClass \"tpu.example.com\" does not exist; create it", message, StringComparison.Ordinal);
        Assert.Empty(plan.Bindings);
    }

    [Fact]
    public async Task BadClassSelector_NamesTheDeviceClassField()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Objects.GpuNode("node-a", gpus: 0));
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(DraSamples.GpuClass("device.driver = \"gpu.nvidia.com\""));
        h.Server.Seed(DraSamples.Slice("node-a", DraSamples.H100));
        h.Server.Seed(DraSamples.Template("one", 1));
        h.Server.Seed(DraSamples.PodWithTemplate("train", "one"));

        var plan = await h.CycleAsync();

        Assert.Contains("DeviceClass gpu.nvidia.com spec.selectors[0].cel.expression", Unschedulable(plan, "train"), StringComparison.Ordinal);
        Assert.Empty(plan.Bindings);
    }
}
