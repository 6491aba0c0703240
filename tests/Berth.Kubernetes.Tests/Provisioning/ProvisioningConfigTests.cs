using Berth.Kubernetes.Provisioning;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Provisioning;

/// <summary>The provisioning check's ConfigMap: defaults, Kueue's retry strategy, and errors that name the key.</summary>
public sealed class ProvisioningConfigTests
{
    [Fact]
    public void Defaults_AreKueues_AndParametersComeFromPrefixedKeys()
    {
        var (config, error) = ProvisioningConfig.Parse(Map(new() { ["provisioningClassName"] = "check-capacity.autoscaling.x-k8s.io", ["parameters.ValidUntilSeconds"] = "600" }));

        Assert.Null(error);
        Assert.Equal("check-capacity.autoscaling.x-k8s.io", config!.ProvisioningClassName);
        Assert.Equal("600", config.Parameters["ValidUntilSeconds"]);
        Assert.Equal(3, config.BackoffLimitCount);
        Assert.Equal(TimeSpan.FromSeconds(60), config.BackoffAfter(1));
        Assert.Equal(TimeSpan.FromSeconds(240), config.BackoffAfter(3));
        Assert.Equal(TimeSpan.FromSeconds(1800), config.BackoffAfter(10));
    }

    [Theory]
    [InlineData("backoffLimitCount", "-1", "data key backoffLimitCount is '-1'")]
    [InlineData("backoffBaseSeconds", "0", "data key backoffBaseSeconds is '0'")]
    [InlineData("backoffMaxSeconds", "soon", "data key backoffMaxSeconds is 'soon'")]
    [InlineData("parameters.", "x", "data key 'parameters.' is not known")]
    public void BadValues_AreRefused_NamingTheKey(string key, string value, string expected)
    {
        var (config, error) = ProvisioningConfig.Parse(Map(new() { ["provisioningClassName"] = "check-capacity.autoscaling.x-k8s.io", [key] = value }));

        Assert.Null(config);
        Assert.StartsWith("ConfigMap berth-system/gpu-capacity: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    private static V1ConfigMap Map(Dictionary<string, string> data) =>
        new() { Metadata = new V1ObjectMeta { Name = "gpu-capacity", NamespaceProperty = "berth-system" }, Data = data };
}
