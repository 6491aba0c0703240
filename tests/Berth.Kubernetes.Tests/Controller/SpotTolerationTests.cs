using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// The annotation <c>berth.dev/tolerates-spot</c> on the cluster: a queue whose first flavor is spot and second
/// on-demand, and Jobs that neither checkpoint nor may be preempted (so by default they stay off spot).
/// </summary>
public sealed class SpotTolerationTests
{
    [Theory]
    [InlineData("false", "ondemand")]
    [InlineData("true", "spot")]
    [InlineData(null, "ondemand")]
    public async Task NonCheckpointingJob_LandsOnSpotOnlyWhenItSaysItTolerates(string? tolerates, string expectedPool)
    {
        await using var h = await StartAsync();
        h.Server.Seed(Job("train", tolerates));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        var admitted = Assert.Single(plan.JobAdmissions);
        Assert.Equal(expectedPool, admitted.NodeSelector["pool"]);
        Assert.Equal(expectedPool, h.ReadJob("train").Spec.Template.Spec.NodeSelector["pool"]);
    }

    [Fact]
    public async Task FalseJob_WithOnlySpotCapacity_IsNeverAdmitted()
    {
        await using var h = await StartAsync();
        h.Server.Seed(Job("ondemand-filler", "false", gpus: 8)); // takes the one on-demand node
        await h.CycleAsync();
        await h.SettleAsync();
        h.Server.Seed(Job("train", "false"));

        for (var i = 0; i < 3; i++)
        {
            var plan = await h.CycleAsync();
            await h.SettleAsync();
            Assert.DoesNotContain(plan.JobAdmissions, a => a.Name == "train");
        }

        Assert.True(h.ReadJob("train").Spec.Suspend);
    }

    [Fact]
    public async Task BadValue_IsNotAdmitted_AndAnEventNamesTheAnnotationAndTheFix()
    {
        await using var h = await StartAsync();
        h.Server.Seed(Job("train", "yes"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(plan.JobAdmissions);
        var message = Assert.Single(plan.Events, e => e.About.Name == "train" && e.Reason == ConditionReasons.InvalidSpec).Message;
        Assert.Contains($"annotation {KubernetesNames.ToleratesSpotAnnotation} is 'yes'", message, StringComparison.Ordinal);
        Assert.Contains("write \"true\"", message, StringComparison.Ordinal);
        Assert.True(h.ReadJob("train").Spec.Suspend);
    }

    private static async Task<ControllerHarness> StartAsync()
    {
        var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Objects.GpuNode("spot-0", 8, pool: "spot"));
        h.Server.Seed(Objects.GpuNode("ondemand-0", 8, pool: "ondemand"));
        var spot = Objects.Flavor("spot", "spot");
        h.Server.Seed(spot with { Spec = spot.Spec with { Spot = true } });
        h.Server.Seed(Objects.Flavor("ondemand", "ondemand"));
        var queue = Objects.Queue("team-a", "spot", "8");
        var ondemand = Objects.Queue("team-a", "ondemand", "8").Spec.Flavors![0];
        h.Server.Seed(queue with { Spec = queue.Spec with { Flavors = [queue.Spec.Flavors![0], ondemand] } });
        return h;
    }

    private static V1Job Job(string name, string? tolerates, int gpus = 4)
    {
        var job = Objects.Job(name, 1, gpus, "team-a");
        job.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.PreemptibleAnnotation] = "false" };
        if (tolerates is not null)
        {
            job.Metadata.Annotations[KubernetesNames.ToleratesSpotAnnotation] = tolerates;
        }

        return job;
    }
}
