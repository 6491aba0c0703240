using Berth.Kubernetes.Dra;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Dra;

/// <summary>CEL device selectors through the Cel package, on one H100 as NVIDIA's DRA driver publishes it.</summary>
public sealed class DeviceSelectorEvaluatorTests
{
    private static readonly DraDevice H100 = new(DraSamples.Driver, "node-a", DraSamples.Slice("node-a", DraSamples.A100, DraSamples.H100).Spec.Devices[1], null, "node-a", allNodes: false);

    public static TheoryData<string, string, bool> Matching => new()
    {
        { "the driver's name", "device.driver == \"gpu.nvidia.com\"", true },
        { "another driver's name", "device.driver == \"tpu.example.com\"", false },
        { "an unqualified attribute, grouped under the driver's domain", "device.attributes[\"gpu.nvidia.com\"].productName == \"NVIDIA H100 80GB HBM3\"", true },
        { "a qualified attribute", "device.attributes[\"gpu.nvidia.com\"].mig == false", true },
        { "an int attribute compared", "device.attributes[\"gpu.nvidia.com\"].index >= 1 && device.attributes[\"gpu.nvidia.com\"].index < 2", true },
        { "a version attribute, as its string", "device.attributes[\"gpu.nvidia.com\"].driverVersion.startsWith(\"580.\")", true },
        { "a guarded missing attribute", "has(device.attributes[\"gpu.nvidia.com\"].cudaCores) && device.attributes[\"gpu.nvidia.com\"].cudaCores > 1", false },
        { "a key test", "\"productName\" in device.attributes[\"gpu.nvidia.com\"]", true },
        { "capacity at least a quantity", "device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"40Gi\")) >= 0", true },
        { "capacity above what it has", "device.capacity[\"gpu.nvidia.com\"].memory.isGreaterThan(quantity(\"80Gi\"))", false },
        { "capacity equal in another unit", "device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"81920Mi\")) == 0", true },
        { "capacity as an integer", "device.capacity[\"gpu.nvidia.com\"].memory.asInteger() == 85899345920", true },
    };

    public static TheoryData<string, string, string> Failing => new()
    {
        { "a syntax error", "device.driver ==", "does not compile" },
        { "an empty expression", " ", "does not compile (it is empty)" },
        { "a string result", "device.driver", "not a bool" },
        { "an attribute the device lacks", "device.attributes[\"gpu.nvidia.com\"].cudaCores > 1", "fails on device gpu.nvidia.com/node-a/gpu-1" },
        { "an unknown variable", "gpu.driver == \"x\"", "fails on device" },
        { "an unreadable quantity", "device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"lots\")) > 0", "fails on device" },
    };

    [Theory]
    [MemberData(nameof(Matching))]
    public void Evaluate_WellFormedSelector_SaysWhetherTheDeviceMatches(string why, string expression, bool expected)
    {
        var outcome = new DeviceSelectorEvaluator().Compile("spec.selectors[0].cel.expression", expression).Evaluate(H100);

        Assert.True(outcome.Error is null, $"{why}: {outcome.Error}");
        Assert.Equal(expected, outcome.Matches);
    }

    [Theory]
    [MemberData(nameof(Failing))]
    public void Evaluate_BadSelector_IsAnErrorNamingTheFieldAndTheFix(string why, string expression, string expected)
    {
        var outcome = new DeviceSelectorEvaluator().Compile("ResourceClaim ml/x spec.devices.requests[0].exactly.selectors[1].cel.expression", expression).Evaluate(H100);

        Assert.False(outcome.Matches, why);
        Assert.NotNull(outcome.Error);
        Assert.StartsWith("ResourceClaim ml/x spec.devices.requests[0].exactly.selectors[1].cel.expression: ", outcome.Error, StringComparison.Ordinal);
        Assert.Contains(expected, outcome.Error, StringComparison.Ordinal);
        Assert.Matches("; (write|a selector|guard) ", outcome.Error);
    }

    [Fact]
    public void Compile_SameFieldAndExpression_IsCompiledOnce()
    {
        var cel = new DeviceSelectorEvaluator();

        Assert.Same(cel.Compile("f", "device.driver == \"a\""), cel.Compile("f", "device.driver == \"a\""));
        Assert.NotSame(cel.Compile("f", "device.driver == \"a\""), cel.Compile("g", "device.driver == \"a\""));
    }

    [Fact]
    public void Inventory_StalePoolGenerationAndAllocatedDevices_AreKnown()
    {
        var current = DraSamples.Slice("node-a", DraSamples.H100);
        current.Spec.Pool.Generation = 3;
        var stale = DraSamples.Slice("node-a", DraSamples.H100, DraSamples.H100);
        stale.Metadata.Name = "old";
        stale.Spec.Pool.Generation = 2;
        var claim = DraSamples.Claim("held", 1);
        claim.Status = new V1ResourceClaimStatus { Allocation = DeviceAllocator.Allocation([new DeviceChoice("gpus", DraSamples.Driver, "node-a", "gpu-0")], "node-a") };

        var inventory = new DeviceInventory(new DraObjects { Slices = [current, stale], Claims = [claim] });

        Assert.Equal(["gpu.nvidia.com/node-a/gpu-0"], inventory.Devices.Select(d => d.Id));
        Assert.Equal(["gpu.nvidia.com/node-a/gpu-0"], inventory.Allocated);
        Assert.Single(inventory.On("node-a", new Dictionary<string, string>()));
        Assert.Empty(inventory.On("node-b", new Dictionary<string, string>()));
    }
}
