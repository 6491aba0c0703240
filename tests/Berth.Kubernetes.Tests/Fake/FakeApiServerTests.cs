using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

using Berth.TestKit.Kubernetes.Fake;

namespace Berth.Kubernetes.Tests.Fake;

public sealed class FakeApiServerTests
{
    private const string Ns = "default";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    public static TheoryData<SelectorCase> LabelSelectorCases => new()
    {
        new SelectorCase("equality picks the pods with that value", "tier=gpu", ["a"]),
        new SelectorCase("inequality also picks pods without the label", "tier!=gpu", ["b", "c"]),
        new SelectorCase("a bare key picks pods that have the label", "team", ["a", "c"]),
        new SelectorCase("a negated key picks pods without the label", "!team", ["b"]),
        new SelectorCase("in picks any listed value", "tier in (gpu, cpu)", ["a", "b"]),
        new SelectorCase("notin also picks pods without the label", "tier notin (gpu)", ["b", "c"]),
        new SelectorCase("requirements are all required", "tier=gpu,team=x", ["a"]),
    };

    [Fact]
    public async Task CreateNamespacedPod_ThenRead_ReturnsPodWithServerSetFields()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        var created = await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);
        var read = await client.CoreV1.ReadNamespacedPodAsync("p1", Ns);

        Assert.Equal("p1", read.Metadata.Name);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.False(string.IsNullOrEmpty(read.Metadata.Uid));
        Assert.Equal(server.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.NotNull(read.Metadata.CreationTimestamp);
        Assert.Equal(1, read.Metadata.Generation);
        Assert.Equal("Pending", read.Status.Phase);
        Assert.Equal("default-scheduler", read.Spec.SchedulerName);
        Assert.Equal(1, server.RequestCount("create", "pods"));
    }

    [Fact]
    public async Task ReadNamespacedPod_Missing_Throws404WithNotFoundStatus()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        var status = await FailsWith(HttpStatusCode.NotFound, () => client.CoreV1.ReadNamespacedPodAsync("ghost", Ns));

        Assert.Equal("Status", status.Kind);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal(404, status.Code);
        Assert.Equal("pods \"ghost\" not found", status.Message);
    }

    [Fact]
    public async Task CreateNamespacedPod_SameNameTwice_Throws409AlreadyExists()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);

        var status = await FailsWith(HttpStatusCode.Conflict, () => client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns));

        Assert.Equal("AlreadyExists", status.Reason);
    }

    [Fact]
    public async Task CreateNamespacedPod_UppercaseName_Throws422Invalid()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        var status = await FailsWith(HttpStatusCode.UnprocessableEntity, () => client.CoreV1.CreateNamespacedPodAsync(Pod("Bad_Name"), Ns));

        Assert.Equal("Invalid", status.Reason);
        Assert.Empty(server.List<V1Pod>(Ns));
    }

    [Fact]
    public async Task ReplaceNamespacedJob_StaleResourceVersion_Throws409ConflictAndKeepsTheNewerWrite()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var original = await client.BatchV1.CreateNamespacedJobAsync(Job("j1"), Ns);
        var first = await client.BatchV1.ReadNamespacedJobAsync("j1", Ns);
        var second = await client.BatchV1.ReadNamespacedJobAsync("j1", Ns);
        first.Metadata.Labels = new Dictionary<string, string> { ["writer"] = "first" };
        second.Metadata.Labels = new Dictionary<string, string> { ["writer"] = "second" };

        var updated = await client.BatchV1.ReplaceNamespacedJobAsync(first, "j1", Ns);
        var status = await FailsWith(HttpStatusCode.Conflict, () => client.BatchV1.ReplaceNamespacedJobAsync(second, "j1", Ns));

        Assert.Equal("Conflict", status.Reason);
        Assert.Contains("the object has been modified", status.Message, StringComparison.Ordinal);
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(original.Metadata.ResourceVersion));
        Assert.Equal("first", server.Get<V1Job>("j1", Ns)!.Metadata.Labels["writer"]);
    }

    [Fact]
    public async Task ReplaceNamespacedPod_NothingChanged_KeepsResourceVersion()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var pod = await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);

        var replaced = await client.CoreV1.ReplaceNamespacedPodAsync(pod, "p1", Ns);

        Assert.Equal(pod.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
        Assert.Equal(pod.Metadata.ResourceVersion, server.ResourceVersion);
    }

    [Fact]
    public async Task PatchNamespacedJob_MergePatch_ChangesOnlyPatchedFieldsAndBumpsGeneration()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.BatchV1.CreateNamespacedJobAsync(Job("j1", labels: new() { ["keep"] = "yes", ["drop"] = "yes" }), Ns);
        const string patch = """{"metadata":{"labels":{"drop":null,"added":"1"}},"spec":{"suspend":false}}""";

        var patched = await client.BatchV1.PatchNamespacedJobAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "j1", Ns);

        Assert.Equal(new Dictionary<string, string> { ["keep"] = "yes", ["added"] = "1" }, patched.Metadata.Labels);
        Assert.False(patched.Spec.Suspend);
        Assert.Equal(1, patched.Spec.Parallelism);
        Assert.Equal(2, patched.Metadata.Generation);
    }

    [Fact]
    public async Task PatchNamespacedPodStatus_StrategicMergeOfOneCondition_KeepsTheOtherConditions()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Seed(RunningPod("p1", ready: false));
        const string patch = """{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""";

        var patched = await client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "p1", Ns);

        Assert.Equal(["PodScheduled", "Ready"], patched.Status.Conditions.Select(c => c.Type));
        Assert.Equal("True", patched.Status.Conditions.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public async Task PatchNamespacedJob_JsonPatchWithFailingTest_Throws422AndChangesNothing()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.BatchV1.CreateNamespacedJobAsync(Job("j1"), Ns);
        var before = server.ResourceVersion;
        const string failing = """[{"op":"test","path":"/spec/parallelism","value":5},{"op":"replace","path":"/spec/parallelism","value":7}]""";
        const string passing = """[{"op":"test","path":"/spec/parallelism","value":1},{"op":"replace","path":"/spec/parallelism","value":7}]""";

        await FailsWith(HttpStatusCode.UnprocessableEntity,
            () => client.BatchV1.PatchNamespacedJobAsync(new V1Patch(failing, V1Patch.PatchType.JsonPatch), "j1", Ns));
        Assert.Equal(before, server.ResourceVersion);
        var patched = await client.BatchV1.PatchNamespacedJobAsync(new V1Patch(passing, V1Patch.PatchType.JsonPatch), "j1", Ns);

        Assert.Equal(7, patched.Spec.Parallelism);
    }

    [Theory]
    [MemberData(nameof(LabelSelectorCases))]
    public async Task ListNamespacedPod_LabelSelector_ReturnsExactlyTheMatchingPods(SelectorCase selectorCase)
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("a", labels: new() { ["tier"] = "gpu", ["team"] = "x" }), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("b", labels: new() { ["tier"] = "cpu" }), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("c", labels: new() { ["team"] = "y" }), Ns);

        var list = await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: selectorCase.Selector);

        Assert.Equal(selectorCase.Expected, list.Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task ListPodForAllNamespaces_FieldSelectorForUnboundBerthPods_ReturnsOnlyThose()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("wanted", "team-a", scheduler: "berth"), "team-a");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("bound", "team-b", scheduler: "berth", node: "n1"), "team-b");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("other", "team-a"), "team-a");

        var unbound = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.schedulerName=berth,spec.nodeName=");
        var onNode = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=n1");
        var inTeamA = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "metadata.namespace=team-a");

        Assert.Equal(["wanted"], unbound.Items.Select(p => p.Metadata.Name));
        Assert.Equal(["bound"], onNode.Items.Select(p => p.Metadata.Name));
        Assert.Equal(["other", "wanted"], inTeamA.Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task ListNamespacedPod_UnsupportedFieldLabel_Throws400()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        var status = await FailsWith(HttpStatusCode.BadRequest,
            () => client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "spec.priority=5"));

        Assert.Equal("field label not supported: spec.priority", status.Message);
    }

    [Fact]
    public async Task ListNamespacedPod_LimitAndContinue_PagesThroughAllPodsInNameOrder()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        foreach (var name in new[] { "p3", "p0", "p4", "p1", "p2" })
        {
            await client.CoreV1.CreateNamespacedPodAsync(Pod(name), Ns);
        }

        var first = await client.CoreV1.ListNamespacedPodAsync(Ns, limit: 2);
        var names = first.Items.Select(p => p.Metadata.Name).ToList();
        var pages = 1;
        var next = first.Metadata.ContinueProperty;
        while (!string.IsNullOrEmpty(next))
        {
            var page = await client.CoreV1.ListNamespacedPodAsync(Ns, limit: 2, continueParameter: next);
            Assert.Equal(first.Metadata.ResourceVersion, page.Metadata.ResourceVersion);
            names.AddRange(page.Items.Select(p => p.Metadata.Name));
            next = page.Metadata.ContinueProperty;
            pages++;
        }

        Assert.Equal(3, first.Metadata.RemainingItemCount);
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], names);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task WatchListNamespacedPod_FromAResourceVersion_ReplaysLaterEventsThenStreamsLiveOnes()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var p1 = await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), Ns);
        await client.CoreV1.PatchNamespacedPodAsync(Labels("""{"x":"1"}"""), "p1", Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("elsewhere", "other"), "other");

        var watching = Collect(token => client.CoreV1.WatchListNamespacedPodAsync(
            Ns, resourceVersion: p1.Metadata.ResourceVersion, cancellationToken: token), count: 4);
        await Eventually(() => server.WatchCount == 1);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p3"), Ns);
        await client.CoreV1.DeleteNamespacedPodAsync("p2", Ns);
        var events = await watching;

        Assert.Equal(
            [(WatchEventType.Added, "p2"), (WatchEventType.Modified, "p1"), (WatchEventType.Added, "p3"), (WatchEventType.Deleted, "p2")],
            events.Select(e => (e.Type, e.Pod.Metadata.Name)));
        Assert.Equal(server.ResourceVersion, events[^1].Pod.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task WatchListNamespacedPod_WithoutResourceVersion_StartsWithAddedForEveryPod()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), Ns);
        await client.CoreV1.PatchNamespacedPodAsync(Labels("""{"x":"1"}"""), "p1", Ns);

        var events = await Collect(token => client.CoreV1.WatchListNamespacedPodAsync(Ns, cancellationToken: token), count: 2);

        Assert.Equal([(WatchEventType.Added, "p1"), (WatchEventType.Added, "p2")], events.Select(e => (e.Type, e.Pod.Metadata.Name)));
        Assert.Equal("1", events[0].Pod.Metadata.Labels["x"]);
    }

    [Fact]
    public async Task WatchListNamespacedPod_LabelSelector_PodLeavingAndReenteringArrivesAsDeletedThenAdded()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        var watching = Collect(token => client.CoreV1.WatchListNamespacedPodAsync(
            Ns, labelSelector: "tier=gpu", cancellationToken: token), count: 3);
        await Eventually(() => server.WatchCount == 1);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1", labels: new() { ["tier"] = "gpu" }), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("cpu-pod", labels: new() { ["tier"] = "cpu" }), Ns);
        await client.CoreV1.PatchNamespacedPodAsync(Labels("""{"tier":"cpu"}"""), "p1", Ns);
        await client.CoreV1.PatchNamespacedPodAsync(Labels("""{"tier":"gpu"}"""), "p1", Ns);
        var events = await watching;

        Assert.Equal(
            [(WatchEventType.Added, "p1"), (WatchEventType.Deleted, "p1"), (WatchEventType.Added, "p1")],
            events.Select(e => (e.Type, e.Pod.Metadata.Name)));
    }

    [Fact]
    public async Task WatchListNamespacedPod_FromResourceVersionBeforeCompactHistory_GetsOneExpiredErrorAndEnds()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var p1 = await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), Ns);
        server.CompactHistory();
        var errors = new List<Exception>();

        var events = await Collect(token => client.CoreV1.WatchListNamespacedPodAsync(
            Ns, resourceVersion: p1.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: token), count: 1);

        Assert.Empty(events);
        var expired = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
        Assert.StartsWith("too old resource version: ", expired.Status.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.WatchCount);
    }

    [Fact]
    public async Task WatchListNamespacedPod_FromCurrentResourceVersionAfterCompactHistory_StreamsLiveEvents()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);
        server.CompactHistory();

        var watching = Collect(token => client.CoreV1.WatchListNamespacedPodAsync(
            Ns, resourceVersion: server.ResourceVersion, cancellationToken: token), count: 1);
        await Eventually(() => server.WatchCount == 1);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), Ns);
        var events = await watching;

        Assert.Equal([(WatchEventType.Added, "p2")], events.Select(e => (e.Type, e.Pod.Metadata.Name)));
    }

    [Fact]
    public async Task WatchListNamespacedPod_HistoryLimitExceeded_OldestResourceVersionExpires()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { HistoryLimit = 2 });
        using var client = server.CreateClient();
        var p1 = await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);
        var p2 = await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p3"), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p4"), Ns);
        var errors = new List<Exception>();

        var tooOld = await Collect(token => client.CoreV1.WatchListNamespacedPodAsync(
            Ns, resourceVersion: p1.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: token), count: 1);
        var kept = await Collect(token => client.CoreV1.WatchListNamespacedPodAsync(
            Ns, resourceVersion: p2.Metadata.ResourceVersion, cancellationToken: token), count: 2);

        Assert.Empty(tooOld);
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(errors)).Status.Code);
        Assert.Equal(["p3", "p4"], kept.Select(e => e.Pod.Metadata.Name));
    }

    [Fact]
    public async Task Watch_OnTheWire_IsChunkedJsonWithOneEventPerLineAndEndsCleanlyAtTimeout()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), Ns);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.GetAsync(
            "api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = JsonNode.Parse(lines[0])!;
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("Pod", (string?)first["object"]!["kind"]);
        Assert.Equal("p1", (string?)first["object"]!["metadata"]!["name"]);
    }

    [Theory]
    [InlineData("jobset.x-k8s.io", "v1alpha2", "jobsets", "JobSet")]
    [InlineData("trainer.kubeflow.org", "v1alpha1", "trainjobs", "TrainJob")]
    [InlineData("kubeflow.org", "v1", "pytorchjobs", "PyTorchJob")]
    [InlineData("ray.io", "v1", "rayjobs", "RayJob")]
    [InlineData("ray.io", "v1", "rayclusters", "RayCluster")]
    [InlineData("leaderworkerset.x-k8s.io", "v1", "leaderworkersets", "LeaderWorkerSet")]
    public async Task FrameworkResource_ListGetPatchAndStatus_ServedAsItsCrd(string group, string version, string plural, string kind)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.FrameworkResources });
        using var client = server.CreateClient();
        var body = JsonNode.Parse($$"""{"apiVersion": "{{group}}/{{version}}", "kind": "{{kind}}", "metadata": {"name": "x", "namespace": "{{Ns}}"}, "spec": {"suspend": true} }""");
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, group, version, Ns, plural);

        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec": {"suspend": false}, "status": {"phase": "ignored"}}""", V1Patch.PatchType.MergePatch), group, version, Ns, plural, "x");
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch("""{"spec": {"suspend": true}, "status": {"phase": "Running"}}""", V1Patch.PatchType.MergePatch), group, version, Ns, plural, "x");
        var read = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(group, version, Ns, plural, "x");
        var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(group, version, plural);

        Assert.False(read.GetProperty("spec").GetProperty("suspend").GetBoolean()); // the status subresource leaves the spec
        Assert.Equal("Running", read.GetProperty("status").GetProperty("phase").GetString()); // and the main resource leaves the status
        Assert.Equal(kind, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("kind").GetString());
        Assert.Equal(kind + "List", list.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task WatchListClusterCustomObject_QueueCreatedThenStatusWritten_ArrivesAsAddedThenModified()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        using var client = server.CreateClient();
        using var stop = new CancellationTokenSource(Patience);
        var events = new List<(WatchEventType Type, JsonElement Queue)>();

        var watching = Task.Run(async () =>
        {
            await foreach (var (type, queue) in client.CustomObjects.WatchListClusterCustomObjectAsync(
                KubernetesNames.Group, KubernetesNames.Version, "queues", cancellationToken: stop.Token))
            {
                events.Add((type, (JsonElement)queue));
                if (events.Count == 2)
                {
                    break;
                }
            }
        });
        await Eventually(() => server.WatchCount == 1);
        await client.CustomObjects.CreateClusterCustomObjectAsync(Queue("q1", weight: 1), KubernetesNames.Group, KubernetesNames.Version, "queues");
        await client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch("""{"status":{"admitted":4}}""", V1Patch.PatchType.MergePatch),
            KubernetesNames.Group, KubernetesNames.Version, "queues", "q1");
        await watching.WaitAsync(Patience);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified], events.Select(e => e.Type));
        Assert.Equal(4, events[1].Queue.GetProperty("status").GetProperty("admitted").GetInt32());
        Assert.Equal("Queue", events[0].Queue.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task CutWatches_OpenWatch_StreamBreaksAndTheWatchCloses()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        using var stop = new CancellationTokenSource(Patience);
        var received = new ConcurrentQueue<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (_, pod) in client.CoreV1.WatchListNamespacedPodAsync(Ns, cancellationToken: stop.Token))
            {
                received.Enqueue(pod.Metadata.Name);
            }
        });
        await Eventually(() => server.WatchCount == 1);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("before-cut"), Ns);
        await Eventually(() => received.Count == 1);

        server.CutWatches();
        var failure = await Record.ExceptionAsync(() => watching);

        Assert.False(stop.IsCancellationRequested, "the stream should end because it was cut, not because the test gave up");
        Assert.IsNotType<OperationCanceledException>(failure);
        Assert.Equal(["before-cut"], received);
        await Eventually(() => server.WatchCount == 0);
    }

    [Fact]
    public async Task SendBookmarks_WatchAllowingBookmarks_GetsBookmarkAtCurrentResourceVersion()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), Ns);

        var watching = Collect(token => client.CoreV1.WatchListNamespacedPodAsync(
            Ns, allowWatchBookmarks: true, resourceVersion: server.ResourceVersion, cancellationToken: token), count: 1);
        await Eventually(() => server.WatchCount == 1);
        server.SendBookmarks();
        var events = await watching;

        Assert.Equal(WatchEventType.Bookmark, Assert.Single(events).Type);
        Assert.Equal(server.ResourceVersion, events[0].Pod.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task CreateNamespacedPodBinding_SecondBinding_Throws409AndOnlyTheFirstIsRecorded()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1", scheduler: "berth"), Ns);

        await client.CoreV1.CreateNamespacedPodBindingAsync(Binding("p1", "n1"), "p1", Ns);
        var status = await FailsWith(HttpStatusCode.Conflict,
            () => client.CoreV1.CreateNamespacedPodBindingAsync(Binding("p1", "n2"), "p1", Ns));

        Assert.Equal("Conflict", status.Reason);
        Assert.Contains("already assigned to node \"n1\"", status.Message, StringComparison.Ordinal);
        Assert.Equal([new BindingRecord(Ns, "p1", "n1")], server.Bindings);
        var pod = server.Get<V1Pod>("p1", Ns)!;
        Assert.Equal("n1", pod.Spec.NodeName);
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Status);
        Assert.Equal("0,1", pod.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation]);
    }

    [Fact]
    public async Task CreateNamespacedPodBinding_TenConcurrentBindings_ExactlyOneSucceeds()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1", scheduler: "berth"), Ns);

        var attempts = Enumerable.Range(0, 10).Select(async i =>
        {
            try
            {
                await client.CoreV1.CreateNamespacedPodBindingAsync(Binding("p1", $"n{i}"), "p1", Ns);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }
        });
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(1, outcomes.Count(won => won));
        var binding = Assert.Single(server.Bindings);
        Assert.Equal(binding.Node, server.Get<V1Pod>("p1", Ns)!.Spec.NodeName);
    }

    [Fact]
    public async Task CreateNamespacedPodEviction_MinAvailableBudget_AllowsEvictionsUntilTheBudgetIsReached()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        foreach (var name in new[] { "w0", "w1", "w2" })
        {
            server.Seed(RunningPod(name, labels: new() { ["app"] = "train" }));
        }

        server.Seed(RunningPod("unrelated", labels: new() { ["app"] = "serve" }));
        await client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(Budget("train", minAvailable: 2), Ns);

        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("w0"), "w0", Ns);
        var status = await FailsWith(HttpStatusCode.TooManyRequests, () => client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("w1"), "w1", Ns));
        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("unrelated"), "unrelated", Ns);

        Assert.Equal("TooManyRequests", status.Reason);
        Assert.Equal("DisruptionBudget", status.Details.Causes.Single().Reason);
        Assert.Equal(["w1", "w2"], server.List<V1Pod>(Ns).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task CreateNamespacedPodEviction_MaxUnavailablePercentage_CountsUnreadyPodsAgainstTheBudget()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Seed(RunningPod("w0", labels: new() { ["app"] = "train" }));
        server.Seed(RunningPod("w1", labels: new() { ["app"] = "train" }));
        server.Seed(RunningPod("w2", labels: new() { ["app"] = "train" }));
        server.Seed(RunningPod("sick", ready: false, labels: new() { ["app"] = "train" }));
        await client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(Budget("train", maxUnavailable: "25%"), Ns);

        // 4 pods, 25% may be unavailable: 3 must stay healthy, and 3 are; a healthy pod may not go, the unready one may.
        await FailsWith(HttpStatusCode.TooManyRequests, () => client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("w0"), "w0", Ns));
        await client.CoreV1.CreateNamespacedPodEvictionAsync(Eviction("sick"), "sick", Ns);

        Assert.Equal(["w0", "w1", "w2"], server.List<V1Pod>(Ns).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task CustomObjects_QueueWithStatusSubresource_MainWritesIgnoreStatusAndStatusWritesIgnoreSpec()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        using var client = server.CreateClient();
        var queue = Queue("q1", weight: 1);
        queue["status"] = new JsonObject { ["admitted"] = 5 };

        await client.CustomObjects.CreateClusterCustomObjectAsync(queue, KubernetesNames.Group, KubernetesNames.Version, "queues");
        var afterCreate = Stored(server, "q1");
        var statusWrite = Stored(server, "q1");
        statusWrite["spec"] = new JsonObject { ["weight"] = 9 };
        statusWrite["status"] = new JsonObject { ["admitted"] = 3 };
        await client.CustomObjects.ReplaceClusterCustomObjectStatusAsync(statusWrite, KubernetesNames.Group, KubernetesNames.Version, "queues", "q1");
        var afterStatus = Stored(server, "q1");
        await client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"weight":2},"status":{"admitted":0}}""", V1Patch.PatchType.MergePatch),
            KubernetesNames.Group, KubernetesNames.Version, "queues", "q1");
        var afterPatch = Stored(server, "q1");

        Assert.Null(afterCreate["status"]);
        Assert.Equal(1, (int)afterStatus["spec"]!["weight"]!);
        Assert.Equal(3, (int)afterStatus["status"]!["admitted"]!);
        Assert.Equal(1, (long)afterStatus["metadata"]!["generation"]!);
        Assert.Equal(2, (int)afterPatch["spec"]!["weight"]!);
        Assert.Equal(3, (int)afterPatch["status"]!["admitted"]!);
        Assert.Equal(2, (long)afterPatch["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task CustomObjects_StrategicMergePatchOnACustomResource_Throws415()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        using var client = server.CreateClient();
        await client.CustomObjects.CreateClusterCustomObjectAsync(Queue("q1", weight: 1), KubernetesNames.Group, KubernetesNames.Version, "queues");

        await FailsWith(HttpStatusCode.UnsupportedMediaType, () => client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"weight":2}}""", V1Patch.PatchType.StrategicMergePatch),
            KubernetesNames.Group, KubernetesNames.Version, "queues", "q1"));

        Assert.Equal(1, (int)Stored(server, "q1")["spec"]!["weight"]!);
    }

    [Fact]
    public async Task CustomObjects_NamespacedPodGroups_ListPerNamespaceAndAcrossNamespaces()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        using var client = server.CreateClient();
        foreach (var (ns, name) in new[] { ("team-a", "g1"), ("team-b", "g2"), ("team-a", "g3") })
        {
            var group = new JsonObject
            {
                ["apiVersion"] = KubernetesNames.ApiVersion,
                ["kind"] = "PodGroup",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = new JsonObject { ["minMember"] = 2 },
            };
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(group, KubernetesNames.Group, KubernetesNames.Version, ns, "podgroups");
        }

        var teamA = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync(
            KubernetesNames.Group, KubernetesNames.Version, "team-a", "podgroups");
        var all = (JsonElement)await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(
            KubernetesNames.Group, KubernetesNames.Version, "podgroups");

        Assert.Equal("PodGroupList", teamA.GetProperty("kind").GetString());
        Assert.Equal(["g1", "g3"], Names(teamA));
        Assert.Equal(["g1", "g3", "g2"], Names(all));
    }

    [Fact]
    public async Task FailNext_ConflictOnNextJobUpdate_FailsOnceThenServes()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var job = await client.BatchV1.CreateNamespacedJobAsync(Job("j1"), Ns);
        job.Spec.Suspend = true;
        server.FailNext("update", "jobs", 409);

        var status = await FailsWith(HttpStatusCode.Conflict, () => client.BatchV1.ReplaceNamespacedJobAsync(job, "j1", Ns));
        var updated = await client.BatchV1.ReplaceNamespacedJobAsync(job, "j1", Ns);

        Assert.Equal("Conflict", status.Reason);
        Assert.True(updated.Spec.Suspend);
        Assert.Equal(2, server.RequestCount("update", "jobs"));
        Assert.Equal(0, server.RequestCount("update", "jobs/status"));
    }

    [Fact]
    public async Task FailNext_TwoServerErrorsOnPodList_FailsTwiceThenServes()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        server.FailNext("list", "pods", 500, times: 2);

        await FailsWith(HttpStatusCode.InternalServerError, () => client.CoreV1.ListNamespacedPodAsync(Ns));
        await FailsWith(HttpStatusCode.InternalServerError, () => client.CoreV1.ListPodForAllNamespacesAsync());
        var list = await client.CoreV1.ListNamespacedPodAsync(Ns);

        Assert.Empty(list.Items);
        Assert.Equal(3, server.RequestCount("list", "pods"));
    }

    [Fact]
    public async Task DeleteNamespacedJob_WithFinalizer_StaysUntilTheFinalizerIsRemoved()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();
        var job = Job("j1");
        job.Metadata.Finalizers = ["berth.dev/cleanup"];
        await client.BatchV1.CreateNamespacedJobAsync(job, Ns);

        await client.BatchV1.DeleteNamespacedJobAsync("j1", Ns);
        var terminating = await client.BatchV1.ReadNamespacedJobAsync("j1", Ns);
        await client.BatchV1.PatchNamespacedJobAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "j1", Ns);

        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        await FailsWith(HttpStatusCode.NotFound, () => client.BatchV1.ReadNamespacedJobAsync("j1", Ns));
    }

    [Fact]
    public async Task Seed_RunningPodWithNode_KeepsStatusAndNodeAndIsReadableTyped()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        var seeded = server.Seed(RunningPod("p1"));
        var read = await client.CoreV1.ReadNamespacedPodAsync("p1", Ns);

        Assert.Equal("Running", read.Status.Phase);
        Assert.Equal("n1", read.Spec.NodeName);
        Assert.Equal(seeded.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("v1", server.Get<V1Pod>("p1", Ns)!.ApiVersion);
        Assert.Null(server.Get<V1Pod>("p1", "elsewhere"));
    }

    [Fact]
    public async Task Discovery_VersionAndCoreResources_AreServed()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = server.CreateClient();

        var version = await client.Version.GetCodeAsync();
        var core = await client.CoreV1.GetAPIResourcesAsync();

        Assert.Equal("1", version.Major);
        Assert.Contains(core.Resources, r => r.Name == "pods/binding");
    }

    [Fact]
    public async Task LeaderElector_LeaderStopsRenewing_TheOtherTakesOverAfterTheLeaseDuration()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var clientA = server.CreateClient();
        using var clientB = server.CreateClient();
        await WarmUpLeases(server, clientA, clientB);
        var leaseDuration = TimeSpan.FromSeconds(1.5);
        using var electorA = Elector(clientA, "a", leaseDuration);
        using var electorB = Elector(clientB, "b", leaseDuration);
        var aLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        electorA.OnStartedLeading += () => aLeads.TrySetResult();
        electorB.OnStartedLeading += () => bLeads.TrySetResult();
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = electorA.RunUntilLeadershipLostAsync(stopA.Token);
        await aLeads.Task.WaitAsync(Patience);
        var runB = electorB.RunUntilLeadershipLostAsync(stopB.Token);
        await Task.Delay(leaseDuration * 1.25);
        var bLedWhileARenewed = bLeads.Task.IsCompleted;
        var aStillLeading = !runA.IsCompleted;
        var leaseWhileARenewed = server.Get<V1Lease>("berth-leader", Ns)!;
        var stoppedAt = TimeProvider.System.GetTimestamp();
        await stopA.CancelAsync();
        await bLeads.Task.WaitAsync(Patience);
        var takeover = TimeProvider.System.GetElapsedTime(stoppedAt);
        await stopB.CancelAsync();

        Assert.True(aStillLeading, "a lost its lease while renewing it");
        Assert.False(bLedWhileARenewed);
        Assert.Equal("a", leaseWhileARenewed.Spec.HolderIdentity);
        Assert.True(takeover >= leaseDuration * 0.5, $"b took over after {takeover}, before a's lease could have expired");
        var lease = server.Get<V1Lease>("berth-leader", Ns)!;
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.True(await Ends(runA), "a's election loop should end once it is stopped");
        Assert.True(await Ends(runB), "b's election loop should end once it is stopped");
    }

    /// <summary>
    /// Sends each client's first lease requests before timing starts: the first call in a process pays for JIT and
    /// connection set-up, which on a busy two-core machine can outlast a short renew deadline.
    /// </summary>
    private static async Task WarmUpLeases(FakeApiServer server, IKubernetes clientA, IKubernetes clientB)
    {
        var lease = new V1Lease { Metadata = new V1ObjectMeta { Name = "warm-up", NamespaceProperty = Ns }, Spec = new V1LeaseSpec() };
        await clientA.CoordinationV1.CreateNamespacedLeaseAsync(lease, Ns);
        foreach (var client in new[] { clientA, clientB })
        {
            var read = await client.CoordinationV1.ReadNamespacedLeaseAsync("warm-up", Ns);
            read.Spec.RenewTime = DateTime.UtcNow;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(read, "warm-up", Ns);
        }

        Assert.NotNull(server.Get<V1Lease>("warm-up", Ns)!.Spec.RenewTime);
    }

    /// <summary>Whether the task finishes (stopped or cancelled) within patience.</summary>
    private static async Task<bool> Ends(Task task)
    {
        var failure = await Record.ExceptionAsync(() => task.WaitAsync(Patience));
        return failure is null or OperationCanceledException;
    }

    private static LeaderElector Elector(IKubernetes client, string identity, TimeSpan leaseDuration) =>
        new(new LeaderElectionConfig(new LeaseLock(client, Ns, "berth-leader", identity))
        {
            LeaseDuration = leaseDuration,
            RenewDeadline = leaseDuration * 0.8,
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        });

    private static V1Pod Pod(
        string name,
        string ns = Ns,
        Dictionary<string, string>? labels = null,
        string? scheduler = null,
        string? node = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1PodSpec
        {
            SchedulerName = scheduler,
            NodeName = node,
            Containers = [new V1Container { Name = "main", Image = "busybox" }],
        },
    };

    private static V1Pod RunningPod(string name, bool ready = true, Dictionary<string, string>? labels = null)
    {
        var pod = Pod(name, labels: labels, node: "n1");
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True" },
                new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" },
            ],
        };
        return pod;
    }

    private static V1Job Job(string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = labels },
        Spec = new V1JobSpec
        {
            Parallelism = 1,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    Containers = [new V1Container { Name = "main", Image = "busybox" }],
                },
            },
        },
    };

    private static V1Binding Binding(string pod, string node) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = pod,
            NamespaceProperty = Ns,
            Annotations = new Dictionary<string, string> { [KubernetesNames.GpuIndicesAnnotation] = "0,1" },
        },
        Target = new V1ObjectReference { Kind = "Node", Name = node },
    };

    private static V1Eviction Eviction(string pod) => new()
    {
        Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = Ns },
    };

    private static V1PodDisruptionBudget Budget(string app, IntOrString? minAvailable = null, IntOrString? maxUnavailable = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = app + "-budget", NamespaceProperty = Ns },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = minAvailable,
            MaxUnavailable = maxUnavailable,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
        },
    };

    private static JsonObject Queue(string name, int weight) => new()
    {
        ["apiVersion"] = KubernetesNames.ApiVersion,
        ["kind"] = "Queue",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["weight"] = weight },
    };

    private static JsonObject Stored(FakeApiServer server, string queue) =>
        server.GetObject(KubernetesNames.Group, KubernetesNames.Version, "queues", queue)
        ?? throw new InvalidOperationException($"queue {queue} is missing");

    private static List<string?> Names(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()).ToList();

    private static V1Patch Labels(string labels) =>
        new("""{"metadata":{"labels":""" + labels + "}}", V1Patch.PatchType.MergePatch);

    private static async Task<V1Status> FailsWith(HttpStatusCode code, Func<Task> call)
    {
        var failure = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(code, failure.Response.StatusCode);
        return KubernetesJson.Deserialize<V1Status>(failure.Response.Content);
    }

    /// <summary>Reads a watch until <paramref name="count"/> events arrive, the stream ends, or patience runs out.</summary>
    private static async Task<List<(WatchEventType Type, V1Pod Pod)>> Collect(
        Func<CancellationToken, IAsyncEnumerable<(WatchEventType, V1Pod)>> watch, int count)
    {
        using var stop = new CancellationTokenSource(Patience);
        var events = new List<(WatchEventType, V1Pod)>();
        try
        {
            await foreach (var item in watch(stop.Token))
            {
                events.Add(item);
                if (events.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return events;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        using var stop = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(10, stop.Token);
        }
    }
}
