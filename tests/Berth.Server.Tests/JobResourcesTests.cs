using Berth.Model.Queueing;
using Berth.Server.Jobs;

namespace Berth.Server.Tests;

/// <summary>The job API's <c>resources</c>: the same GPU requests, by the same names, as a pod on Kubernetes.</summary>
public class JobResourcesTests
{
    private static readonly QueueConfiguration Config = new() { Flavors = [new Flavor("default")], Queues = [new Queue("q") { Flavors = [new FlavorQuota("default")] }] };

    private static Berth.Model.Pod PodOf(Dictionary<string, string> resources)
    {
        var spec = new JobSpec { Queue = "q", Duration = "1m", PodSets = [new PodSetSpec { Count = 1, Cpu = 1, MemoryGiB = 1, Resources = resources }] };
        return JobValidation.Build("j1", spec, Config, new JobRules(DurationRequired: true, CommandRequired: false)).PodSets.Single().Template;
    }

    [Fact]
    public void Build_MigResource_AsksForInstancesOfThatProfile()
    {
        var pod = PodOf(new() { ["nvidia.com/mig-3g.40gb"] = "2" });

        Assert.Equal(("3g.40gb", 2, 0), (pod.MigProfile, pod.MigCount, pod.GpuCount));
    }

    [Fact]
    public void Build_SharedReplicaWithGpuMemory_AsksForAReplicaAndItsMemory()
    {
        var pod = PodOf(new() { ["nvidia.com/gpu.shared"] = "1", ["berth.dev/gpu-memory"] = "20Gi" });

        Assert.Equal((1, 20L * 1024, 0), (pod.SharedGpuReplicas, pod.GpuMemoryMiB, pod.GpuCount));
    }

    [Fact]
    public void Build_WholeGpus_AsksForWholeGpus()
    {
        var pod = PodOf(new() { ["nvidia.com/gpu"] = "4" });

        Assert.Equal((4, 1000), (pod.GpuCount, pod.GpuMilli));
    }

    [Fact]
    public void Build_GpuShareWithMemory_AsksForAShareAndItsMemory()
    {
        var pod = PodOf(new() { ["berth.dev/gpu-share"] = "250", ["berth.dev/gpu-memory"] = "8Gi" });

        Assert.Equal((1, 250, 8L * 1024), (pod.GpuCount, pod.GpuMilli, pod.GpuMemoryMiB));
    }
}
