using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Views;
using Berth.Web;
using k8s;

namespace Berth.Kubernetes.Tests.Views;

/// <summary>
/// The operator's views between decisions: a waiting pod that gets its GPUs is reported on the event stream as admitted
/// and keeps its reason history; a standby replica answers from its own reading; the timeline keeps one point per change.
/// </summary>
public sealed class OperatorViewsTests
{
    [Fact]
    public async Task Subscribe_AWaitingPodThatGetsItsGpus_IsReportedAdmitted_WithItsReasonHistory()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Objects.Pod("first", gpus: 8, queue: "team-a"));
        await h.RunUntilQuietAsync();
        var views = new OperatorViews(h.Controller, TimeProvider.System);
        Assert.Single(views.Jobs(new JobQuery(null, null, null, null, 10), ViewScope.All).Items); // the views' first picture
        using var subscription = views.Subscribe(ViewScope.All);
        h.Server.Seed(Objects.Pod("second", gpus: 8, queue: "team-a"));
        await h.RunUntilQuietAsync();
        Assert.Equal(JobState.Pending, views.Job("pod:default:second", ViewScope.All)!.State);

        await h.Client.CoreV1.DeleteNamespacedPodAsync("first", Objects.Ns, gracePeriodSeconds: 0);
        await h.RunUntilQuietAsync();

        var seen = new List<ChangeView>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var change in subscription.Changes.WithCancellation(timeout.Token))
        {
            seen.Add(change);
            if (change is { Job: "pod:default:second", Kind: "Admitted" })
            {
                break;
            }
        }

        Assert.Equal(["Submitted", "Admitted"], seen.Where(c => c.Job == "pod:default:second").Select(c => c.Kind));
        Assert.Contains(seen, c => c is { Job: "pod:default:first", Kind: "Finished", State: JobState.Cancelled });
        var second = views.Job("pod:default:second", ViewScope.All)!;
        Assert.Equal(JobState.Running, second.State);
        Assert.NotEmpty(second.Reasons!);
        Assert.Equal(["Submitted", "Admitted"], second.Events!.Select(e => e.Kind));
    }

    [Fact]
    public async Task Current_OnAStandby_IsAReadingOfItsCache_ThatWritesNothing()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Controller.IsLeader = false;
        h.Server.Seed(Objects.Pod("waits", gpus: 16, queue: "team-a"));
        await h.SettleAsync();
        var writes = h.Server.RequestCount("patch", "pods/status");

        var reading = h.Controller.Current(TimeSpan.FromSeconds(2));
        var again = h.Controller.Current(TimeSpan.FromSeconds(2));

        Assert.NotNull(reading);
        Assert.Same(reading, again); // not older than the age asked for: the same reading
        Assert.Contains(reading.Plan.Outcomes, o => o is { Name: "waits", Running: false });
        Assert.Null(h.Controller.LastDecision);
        Assert.Equal(writes, h.Server.RequestCount("patch", "pods/status"));
    }

    [Fact]
    public void Timeline_KeepsAPointPerChange_AndAtMostItsCapacity()
    {
        var timeline = new TimelineWindow();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        timeline.Add(new TimelinePoint(start, 8, 8, 0, 0, null));
        timeline.Add(new TimelinePoint(start.AddSeconds(1), 8, 8, 0, 0, null)); // nothing changed: not kept
        timeline.Add(new TimelinePoint(start.AddSeconds(2), 12, 4, 0, 0, null));
        timeline.Add(new TimelinePoint(start.AddMinutes(2), 12, 4, 0, 0, null)); // unchanged, but a minute passed
        Assert.Equal([8.0, 12, 12], timeline.Since(null).Select(p => p.Allocated));
        Assert.Single(timeline.Since(start.AddMinutes(1)));

        for (var i = 0; i < TimelineWindow.Capacity + 10; i++)
        {
            timeline.Add(new TimelinePoint(start.AddHours(1).AddSeconds(i), i % 16, 16 - (i % 16), 0, 0, null));
        }

        Assert.Equal(TimelineWindow.Capacity, timeline.Since(null).Count);
    }
}
