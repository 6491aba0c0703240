using System.Text.Json;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Snapshots;
using Berth.Kubernetes.Tests.Controller;
using Berth.TestKit.Kubernetes.Fake;

using Berth.TestKit.Kubernetes.Snapshots;

namespace Berth.Kubernetes.Tests.Snapshots;

public sealed class SnapshotFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-snapshot-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Capture_ThroughAKubeconfigFile_ListsEveryPageAndRoundTripsThroughTheFile()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        WhatIfCluster.Seed(server);
        for (var i = 0; i < 600; i++)
        {
            server.Seed(Objects.Pod($"web-{i:D3}", gpus: 0, ns: "web", scheduler: "default-scheduler"));
        }

        using var client = OperatorHost.Connect(new OperatorSettings { Kubeconfig = Kubeconfig.Write(_dir, server.BaseAddress) });
        var (captured, warnings) = await SnapshotCapture.CaptureAsync(client, TimeProvider.System);
        var file = Path.Combine(_dir, "snapshot.json");
        SnapshotFile.Write(file, captured, new SnapshotSource { Server = server.BaseAddress.ToString(), Context = "fake" });
        var (read, source) = SnapshotFile.Read(file);

        Assert.Empty(warnings);
        Assert.Equal(2, server.RequestCount("list", "pods")); // 602 pods: two pages of at most 500
        Assert.Equal(602, read.Pods.Count);
        Assert.Equal(["n1", "n2", "n3", "n4"], read.Nodes.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal("8", read.Nodes[0].Status.Allocatable["nvidia.com/gpu"].ToString());
        Assert.Equal(["gang", "train"], read.Jobs.Select(j => j.Metadata.Name).Order(StringComparer.Ordinal));
        var train = read.Jobs.Single(j => j.Metadata.Name == "train");
        Assert.Equal("n1", AdmissionRecord.Parse(train.Metadata.Annotations)!.Pods.Single().Node);
        Assert.Equal("n3", read.Pods.Single(p => p.Metadata.Name == "inference-0").Spec.NodeName);
        Assert.Equal(1000, read.PriorityClasses.Single().Value);
        Assert.Equal(["team-a", "team-b"], read.Queues.Select(q => q.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal("8", read.Queues[0].Spec.Flavors![0].Resources!.Gpu!.NominalQuota);
        Assert.Equal("org", read.Cohorts.Single().Metadata.Name);
        Assert.Equal("a100", read.Flavors.Single().Spec.NodeLabels!["pool"]);
        Assert.Equal(captured.Now.ToUnixTimeMilliseconds(), read.Now.ToUnixTimeMilliseconds());
        Assert.Equal("fake", source.Context);

        // Read back, the controller sees what it saw on the server.
        var summary = SnapshotSummary.Of(read);
        Assert.Equal(new SnapshotSummary(4, 32, 2, 1, 1, 0), summary);
    }

    [Fact]
    public async Task Capture_ClusterWithoutBerthCrds_ReadsThemAsEmptyWithAWarning()
    {
        await using var server = await FakeApiServer.StartAsync();
        server.Seed(Objects.GpuNode("n1"));
        using var client = server.CreateClient();

        var (captured, warnings) = await SnapshotCapture.CaptureAsync(client, TimeProvider.System);

        Assert.Single(captured.Nodes);
        Assert.Empty(captured.Queues);
        Assert.Equal(4, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith("Queue: not served", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_ThenRead_KeepsFormatVersionKindAndCaptureTime()
    {
        var file = Path.Combine(_dir, "s.json");
        SnapshotFile.Write(file, WhatIfCluster.Snapshot(), new SnapshotSource { Server = "https://k8s.example:6443", BerthVersion = "1.2.3", Warnings = ["w1"] });
        using var json = JsonDocument.Parse(File.ReadAllText(file));

        Assert.Equal(SnapshotFile.Kind, json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.Equal("2026-01-01T12:00:00.000Z", json.RootElement.GetProperty("capturedAt").GetString());
        var (read, source) = SnapshotFile.Read(file);
        Assert.Equal(WhatIfCluster.Now, read.Now);
        Assert.Equal(("https://k8s.example:6443", "1.2.3", "w1"), (source.Server, source.BerthVersion, source.Warnings.Single()));
    }

    [Fact]
    public void ExampleSnapshot_InTheRepository_IsWhatTheWhatIfFixtureWrites()
    {
        // scenarios/snapshot-example.json is the file docs/FORMATS.md and the README run; regenerate it from WhatIfCluster when this fails.
        using var stream = new MemoryStream();
        SnapshotFile.Write(stream, WhatIfCluster.Snapshot(), new SnapshotSource { Context = "example", Server = "https://k8s.example:6443" });

        Assert.Equal(Api.Repository.Read("scenarios/snapshot-example.json"), System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "not JSON at all", "kind: Scenario\nname: x\n", "not a JSON file" },
        { "a JSON list", "[1, 2]", "not an object" },
        { "a file of another kind", """{"kind": "Scenario", "formatVersion": 1}""", "field 'kind': the file is of kind 'Scenario', not a Berth cluster snapshot" },
        { "no kind", """{"formatVersion": 1}""", "the file has no kind" },
        { "a newer format", """{"kind": "BerthClusterSnapshot", "formatVersion": 2, "capturedAt": "2026-01-01T00:00:00Z"}""", "field 'formatVersion': version 2 is newer than this berth reads (1)" },
        { "no capture time", """{"kind": "BerthClusterSnapshot", "formatVersion": 1}""", "field 'capturedAt': missing or not a time" },
        { "nodes not a list", """{"kind": "BerthClusterSnapshot", "formatVersion": 1, "capturedAt": "2026-01-01T00:00:00Z", "nodes": {"a": 1}}""", "field 'nodes': a object, not a list" },
        { "a node that does not parse", """{"kind": "BerthClusterSnapshot", "formatVersion": 1, "capturedAt": "2026-01-01T00:00:00Z", "nodes": [{"metadata": {"name": 5}}]}""", "field 'nodes[0]': does not parse as a V1Node" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Read_BadOrForeignFile_ThrowsNamingTheFieldAndTheFix(string name, string content, string message)
    {
        var file = Path.Combine(_dir, "bad.json");
        File.WriteAllText(file, content);

        var e = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Read(file));

        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{name}: {e.Message}");
        Assert.StartsWith(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysHowToMakeOne()
    {
        var e = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Read(Path.Combine(_dir, "none.json")));
        Assert.Contains("berth snapshot -o FILE", e.Message, StringComparison.Ordinal);
    }
}
