using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

/// <summary>A flavor quota's <c>devices</c>: MIG instances, time-sliced replicas and GPU memory by resource name.</summary>
public sealed class ScenarioDeviceQuotaTests
{
    private const string Text = """
        kind: Scenario
        name: devices
        cluster:
          nodeGroups:
            - {name: g, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: f}
        queues:
          - name: q
            flavors:
              - flavor: f
                gpu: 8
                devices: {nvidia.com/mig-1g.10gb: 14, nvidia.com/gpu.shared: 40, berth.dev/gpu-memory: 320Gi}
        workloads:
          - {name: w1, queue: q, duration: 1h, gpus: 1}
        """;

    [Fact]
    public void Read_DeviceQuotas_KeepsEachInItsUnit()
    {
        var scenario = ScenarioReader.Read("/scenarios/devices.yaml", Text);

        var devices = scenario.Queues.Queues.Single().Flavors.Single().Devices;
        Assert.Equal(14, devices["nvidia.com/mig-1g.10gb"]);
        Assert.Equal(40, devices["nvidia.com/gpu.shared"]);
        Assert.Equal(320 * 1024, devices["berth.dev/gpu-memory"]);
    }
}
