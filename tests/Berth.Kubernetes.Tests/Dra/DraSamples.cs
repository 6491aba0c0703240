using k8s.Models;

namespace Berth.Kubernetes.Tests.Dra;

/// <summary>DRA objects for tests: NVIDIA's DRA driver's devices (<c>gpu.nvidia.com</c>), its class, claims and templates.</summary>
internal static class DraSamples
{
    public const string Driver = "gpu.nvidia.com";
    public const string H100 = "NVIDIA H100 80GB HBM3";
    public const string A100 = "NVIDIA A100-SXM4-80GB";
    public const string IsH100 = "device.attributes[\"gpu.nvidia.com\"].productName == \"NVIDIA H100 80GB HBM3\"";

    /// <summary>The class of the driver's GPUs: every device of the driver.</summary>
    public static V1DeviceClass GpuClass(string expression = "device.driver == \"gpu.nvidia.com\"") => new()
    {
        ApiVersion = "resource.k8s.io/v1",
        Kind = "DeviceClass",
        Metadata = new V1ObjectMeta { Name = Driver },
        Spec = new V1DeviceClassSpec { Selectors = [new V1DeviceSelector { Cel = new V1CELDeviceSelector { Expression = expression } }] },
    };

    /// <summary>A slice of one node's GPUs (<c>gpu-0</c>...), one per product given, in a pool named after the node.</summary>
    public static V1ResourceSlice Slice(string node, params string[] products) => new()
    {
        ApiVersion = "resource.k8s.io/v1",
        Kind = "ResourceSlice",
        Metadata = new V1ObjectMeta { Name = $"{node}-{Driver}" },
        Spec = new V1ResourceSliceSpec
        {
            Driver = Driver,
            NodeName = node,
            Pool = new V1ResourcePool { Name = node, Generation = 1, ResourceSliceCount = 1 },
            Devices = products.Select((product, i) => new V1Device
            {
                Name = $"gpu-{i}",
                Attributes = new Dictionary<string, V1DeviceAttribute>
                {
                    ["productName"] = new() { StringValue = product },
                    ["index"] = new() { IntValue = i },
                    ["gpu.nvidia.com/mig"] = new() { BoolValue = false },
                    ["driverVersion"] = new() { Version = "580.65.6" },
                },
                Capacity = new Dictionary<string, V1DeviceCapacity> { ["memory"] = new() { Value = new ResourceQuantity("80Gi") } },
            }).ToList(),
        },
    };

    public static V1DeviceClaim Devices(int count, params string[] selectors) => new()
    {
        Requests =
        [
            new V1DeviceRequest
            {
                Name = "gpus",
                Exactly = new V1ExactDeviceRequest
                {
                    DeviceClassName = Driver,
                    AllocationMode = "ExactCount",
                    Count = count,
                    Selectors = selectors.Select(s => new V1DeviceSelector { Cel = new V1CELDeviceSelector { Expression = s } }).ToList(),
                },
            },
        ],
    };

    public static V1ResourceClaimTemplate Template(string name, int count, params string[] selectors) => new()
    {
        ApiVersion = "resource.k8s.io/v1",
        Kind = "ResourceClaimTemplate",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Objects.Ns },
        Spec = new V1ResourceClaimTemplateSpec { Spec = new V1ResourceClaimSpec { Devices = Devices(count, selectors) } },
    };

    public static Resourcev1ResourceClaim Claim(string name, int count, params string[] selectors) => new()
    {
        ApiVersion = "resource.k8s.io/v1",
        Kind = "ResourceClaim",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Objects.Ns },
        Spec = new V1ResourceClaimSpec { Devices = Devices(count, selectors) },
    };

    /// <summary>A pod of queue team-a asking no GPU resource, only the claim <c>gpus</c> made from <paramref name="template"/>.</summary>
    public static V1Pod PodWithTemplate(string name, string template)
    {
        var pod = Objects.Pod(name, gpus: 0, queue: "team-a");
        pod.Spec.ResourceClaims = [new V1PodResourceClaim { Name = "gpus", ResourceClaimTemplateName = template }];
        pod.Spec.Containers[0].Resources ??= new V1ResourceRequirements();
        pod.Spec.Containers[0].Resources.Claims = [new Corev1ResourceClaim { Name = "gpus" }];
        return pod;
    }

    /// <summary>A pod of queue team-a using the existing claim <paramref name="claim"/> as <c>gpus</c>.</summary>
    public static V1Pod PodWithClaim(string name, string claim)
    {
        var pod = Objects.Pod(name, gpus: 0, queue: "team-a");
        pod.Spec.ResourceClaims = [new V1PodResourceClaim { Name = "gpus", ResourceClaimName = claim }];
        return pod;
    }
}
