using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Berth.Kubernetes.Tests.Dra;
using Berth.TestKit.Kubernetes.Fake;

namespace Berth.Kubernetes.Tests.Fake;

/// <summary>The fake API server speaks resource.k8s.io/v1: the four DRA kinds through the official client, with the claim's rules.</summary>
public sealed class FakeDraTests
{
    [Fact]
    public async Task DraKinds_CreateListGetAndFieldSelector_ThroughTheOfficialClient()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        await client.ResourceV1.CreateDeviceClassAsync(DraSamples.GpuClass());
        await client.ResourceV1.CreateResourceSliceAsync(DraSamples.Slice("node-a", DraSamples.H100));
        await client.ResourceV1.CreateResourceSliceAsync(DraSamples.Slice("node-b", DraSamples.A100, DraSamples.A100));
        await client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(DraSamples.Template("two", 2), Objects.Ns);
        await client.ResourceV1.CreateNamespacedResourceClaimAsync(DraSamples.Claim("one", 1, DraSamples.IsH100), Objects.Ns);

        var slices = await client.ResourceV1.ListResourceSliceAsync(fieldSelector: "spec.nodeName=node-b");
        var deviceClass = await client.ResourceV1.ReadDeviceClassAsync(DraSamples.Driver);
        var template = await client.ResourceV1.ReadNamespacedResourceClaimTemplateAsync("two", Objects.Ns);
        var claims = await client.ResourceV1.ListResourceClaimForAllNamespacesAsync();

        Assert.Equal(["node-b"], slices.Items.Select(s => s.Spec.NodeName));
        Assert.Equal("device.driver == \"gpu.nvidia.com\"", deviceClass.Spec.Selectors.Single().Cel.Expression);
        Assert.Equal(2, template.Spec.Spec.Devices.Requests.Single().Exactly.Count);
        Assert.Equal(DraSamples.IsH100, claims.Items.Single().Spec.Devices.Requests.Single().Exactly.Selectors.Single().Cel.Expression);
        Assert.Contains(server.Requested(), r => r == ("list", "resourceslices"));
    }

    [Fact]
    public async Task ResourceClaimStatus_AllocationIsSetOnce_AndReservationNeedsIt()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var claim = await client.ResourceV1.CreateNamespacedResourceClaimAsync(DraSamples.Claim("one", 1), Objects.Ns);

        claim.Status = new V1ResourceClaimStatus { ReservedFor = [new V1ResourceClaimConsumerReference { Resource = "pods", Name = "p", Uid = "u" }] };
        var unallocated = await Assert.ThrowsAsync<HttpOperationException>(() => client.ResourceV1.ReplaceNamespacedResourceClaimStatusAsync(claim, "one", Objects.Ns));
        claim.Status.Allocation = Berth.Kubernetes.Dra.DeviceAllocator.Allocation([new Berth.Kubernetes.Dra.DeviceChoice("gpus", DraSamples.Driver, "node-a", "gpu-0")], "node-a");
        var allocated = await client.ResourceV1.ReplaceNamespacedResourceClaimStatusAsync(claim, "one", Objects.Ns);
        allocated.Status.Allocation.Devices.Results[0].Device = "gpu-1";
        var moved = await Assert.ThrowsAsync<HttpOperationException>(() => client.ResourceV1.ReplaceNamespacedResourceClaimStatusAsync(allocated, "one", Objects.Ns));
        var read = await client.ResourceV1.ReadNamespacedResourceClaimAsync("one", Objects.Ns);
        read.Spec.Devices.Requests[0].Exactly.Count = 3;
        var respec = await Assert.ThrowsAsync<HttpOperationException>(() => client.ResourceV1.ReplaceNamespacedResourceClaimAsync(read, "one", Objects.Ns));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, unallocated.Response.StatusCode);
        Assert.Contains("status.reservedFor", unallocated.Response.Content, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, moved.Response.StatusCode);
        Assert.Contains("status.allocation", moved.Response.Content, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, respec.Response.StatusCode);
        Assert.Equal("gpu-0", (await client.ResourceV1.ReadNamespacedResourceClaimAsync("one", Objects.Ns)).Status.Allocation.Devices.Results.Single().Device);
    }

    [Fact]
    public async Task ResourceClaims_Watch_SeesTheAllocation()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var list = await client.ResourceV1.ListResourceClaimForAllNamespacesAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<(WatchEventType, string?)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, claim) in client.ResourceV1.WatchListResourceClaimForAllNamespacesAsync(resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
            {
                seen.Add((type, claim.Status?.Allocation?.Devices?.Results?.Single().Device));
                if (seen.Count == 2)
                {
                    return;
                }
            }
        }, cts.Token);

        while (server.WatchCount == 0 && !cts.IsCancellationRequested)
        {
            await Task.Delay(10); // the watch is open before anything changes
        }

        var claim = await client.ResourceV1.CreateNamespacedResourceClaimAsync(DraSamples.Claim("one", 1), Objects.Ns);
        claim.Status = new V1ResourceClaimStatus { Allocation = Berth.Kubernetes.Dra.DeviceAllocator.Allocation([new Berth.Kubernetes.Dra.DeviceChoice("gpus", DraSamples.Driver, "node-a", "gpu-0")], "node-a") };
        await client.ResourceV1.ReplaceNamespacedResourceClaimStatusAsync(claim, "one", Objects.Ns);
        await watching;

        Assert.Equal([(WatchEventType.Added, null), (WatchEventType.Modified, "gpu-0")], seen);
    }
}
