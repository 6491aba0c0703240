using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Gpus;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>Queue quotas in MIG instances, time-sliced replicas and GPU memory: each its own resource, the queue's own cap.</summary>
public class DeviceQuotaTests
{
    private static AdmissionScheduler Scheduler(string device, long nominal, Node node)
    {
        var queue = new Queue("q") { Flavors = [new FlavorQuota("default") { Devices = new Dictionary<string, long> { [device] = nominal } }] };
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [queue] };
        return new AdmissionScheduler([node], config, new AdmissionOptions(), new ManualTime());
    }

    private static Workload Wanting(string id, Pod pod) =>
        Make.Workload(id).In("q").Build() with { PodSets = [new PodSet("set0", 1, pod)] };

    [Fact]
    public void Schedule_QueueWithTwoMigInstancesOfQuota_AdmitsTwoOneSlicePodsAndHoldsTheThird()
    {
        var node = Make.Node("n").Cpu(64_000).Memory(512 * 1024).Gpus(1, "A100").Mig(false, "1g.10gb@0", "1g.10gb@1", "1g.10gb@2", "1g.10gb@3", "1g.10gb@4", "1g.10gb@5", "1g.10gb@6").Build();
        var s = Scheduler("nvidia.com/mig-1g.10gb", 2, node);
        var pod = new Pod { Name = "p", CpuMilli = 1000, MemoryMiB = 1024, MigProfile = "1g.10gb", MigCount = 1 };
        foreach (var id in new[] { "a", "b", "c" })
        {
            s.Submit(Wanting(id, pod));
        }

        s.Schedule();

        Assert.Equal(WorkloadPhase.Admitted, s.Find("a")!.Phase);
        Assert.Equal(WorkloadPhase.Admitted, s.Find("b")!.Phase);
        Assert.Equal(WorkloadPhase.Pending, s.Find("c")!.Phase);
        Assert.Contains("nvidia.com/mig-1g.10gb", s.ReasonOf(s.Find("c")!).Message, StringComparison.Ordinal);
        Assert.Equal(2, s.Quotas.DeviceUsage(0, 0, "nvidia.com/mig-1g.10gb"));
    }

    [Fact]
    public void Schedule_QueueWithReplicaQuota_ChargesReplicasAndFreesThemWhenAWorkloadEnds()
    {
        var node = Make.Node("n").Cpu(64_000).Memory(512 * 1024).Gpus(2, "A100").Sharing(GpuSharing.TimeSliced(4)).Build();
        var s = Scheduler("nvidia.com/gpu.shared", 3, node);
        var pod = new Pod { Name = "p", CpuMilli = 1000, MemoryMiB = 1024, SharedGpuReplicas = 2 };
        s.Submit(Wanting("a", pod));
        s.Submit(Wanting("b", pod));

        s.Schedule();

        Assert.Equal(WorkloadPhase.Admitted, s.Find("a")!.Phase);
        Assert.Equal(WorkloadPhase.Pending, s.Find("b")!.Phase);
        Assert.Equal(2, s.Quotas.DeviceUsage(0, 0, "nvidia.com/gpu.shared"));

        s.Finish("a");
        s.Schedule();

        Assert.Equal(WorkloadPhase.Admitted, s.Find("b")!.Phase);
        Assert.Equal(2, s.Quotas.DeviceUsage(0, 0, "nvidia.com/gpu.shared"));
    }

    [Theory]
    [InlineData("nvidia.com/mig-9g.99gb", 1, "not a device resource")]
    [InlineData("nvidia.com/gpu.shared", -1, "must be 0 or more")]
    public void Validate_BadDeviceQuota_NamesTheQuotaAndTheFix(string name, long nominal, string mentions)
    {
        var queue = new Queue("q") { Flavors = [new FlavorQuota("default") { Devices = new Dictionary<string, long> { [name] = nominal } }] };
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [queue] };

        var e = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
        Assert.Equal("devices", e.ParamName);
    }
}
