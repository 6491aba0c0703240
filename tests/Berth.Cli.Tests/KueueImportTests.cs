using Berth.Model.Queueing;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;
using YamlDotNet.RepresentationModel;

namespace Berth.Cli.Tests;

/// <summary><c>berth import kueue</c> on manifests shaped like a real Kueue set-up (the Kueue docs' examples, v1beta1 and v1beta2).</summary>
public sealed class KueueImportTests
{
    private const string Flavors = """
        apiVersion: kueue.x-k8s.io/v1beta1
        kind: ResourceFlavor
        metadata:
          name: a100
        spec:
          nodeLabels:
            cloud.google.com/gke-accelerator: nvidia-tesla-a100
            instance-type: "true"
          nodeTaints:
            - key: nvidia.com/gpu
              value: present
              effect: NoSchedule
          tolerations:
            - key: nvidia.com/gpu
              operator: Exists
              effect: NoSchedule
          topologyName: default
        ---
        apiVersion: kueue.x-k8s.io/v1beta1
        kind: ResourceFlavor
        metadata:
          name: spot
        spec:
          nodeLabels:
            instance-type: spot
        """;

    private const string Queues = """
        apiVersion: kueue.x-k8s.io/v1beta1
        kind: ClusterQueue
        metadata:
          name: team-a
        spec:
          namespaceSelector: {}
          cohort: research
          queueingStrategy: StrictFIFO
          resourceGroups:
            - coveredResources: ["cpu", "memory", "nvidia.com/gpu"]
              flavors:
                - name: a100
                  resources:
                    - name: cpu
                      nominalQuota: 64
                    - name: memory
                      nominalQuota: 256Gi
                    - name: nvidia.com/gpu
                      nominalQuota: 8
                      borrowingLimit: 4
                      lendingLimit: 2
                - name: spot
                  resources:
                    - name: cpu
                      nominalQuota: 500m
                    - name: memory
                      nominalQuota: 2G
                    - name: nvidia.com/gpu
                      nominalQuota: 0
            - coveredResources: ["pods"]
              flavors:
                - name: a100
                  resources:
                    - name: pods
                      nominalQuota: 100
          preemption:
            reclaimWithinCohort: Any
            borrowWithinCohort:
              policy: LowerPriority
              maxPriorityThreshold: 100
            withinClusterQueue: LowerPriority
          flavorFungibility:
            whenCanBorrow: Borrow
            whenCanPreempt: TryNextFlavor
          fairSharing:
            weight: 2
          admissionChecks: ["prov-req"]
        ---
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: ClusterQueue
        metadata:
          name: team-b
        spec:
          cohortName: research
          stopPolicy: Hold
          resourceGroups:
            - coveredResources: ["nvidia.com/gpu"]
              flavors:
                - name: a100
                  resources:
                    - name: nvidia.com/gpu
                      nominalQuota: 16
          flavorFungibility:
            whenCanBorrow: MayStopSearch
        ---
        apiVersion: kueue.x-k8s.io/v1beta1
        kind: LocalQueue
        metadata:
          namespace: ml
          name: team-a-queue
        spec:
          clusterQueue: team-a
        ---
        apiVersion: kueue.x-k8s.io/v1beta1
        kind: WorkloadPriorityClass
        metadata:
          name: high
        value: 10000
        description: "production training"
        ---
        apiVersion: kueue.x-k8s.io/v1alpha1
        kind: Cohort
        metadata:
          name: research
        spec:
          parent: org
          resourceGroups:
            - coveredResources: ["nvidia.com/gpu"]
              flavors:
                - name: a100
                  resources:
                    - name: nvidia.com/gpu
                      nominalQuota: 4
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ml
        """;

    private const string ClusterAndWork = """
        kind: Scenario
        name: imported
        cluster:
          nodeGroups:
            - {name: a, count: 4, gpus: 8, gpuModel: A100, cpu: 96, memory: 1Ti, labels: {cloud.google.com/gke-accelerator: nvidia-tesla-a100, instance-type: "true"}}
            - {name: s, count: 2, gpus: 0, cpu: 16, memory: 64Gi, labels: {instance-type: spot}}
        workloads:
          - {name: w1, queue: team-a, submit: 0s, duration: 1h, gpus: 4, priorityClass: high}
          - {name: w2, queue: team-b, submit: 0s, duration: 1h, gpus: 8}
        """;

    [Fact]
    public void Import_Scenario_ReadsBackAsTheSameQueues()
    {
        using var dir = new TempDir();
        var flavors = dir.File("flavors.yaml", Flavors);
        var queues = dir.File("queues.yaml", Queues);
        var outFile = dir.Combine("sections.yaml");

        var run = CliRun.Of("import", "kueue", flavors, queues, "-o", outFile);

        Assert.True(run.ExitCode == 0, run.ToString());
        var sections = File.ReadAllText(outFile);
        var scenario = ScenarioReader.Read(dir.Combine("s.yaml"), ClusterAndWork + "\n" + sections);
        var config = scenario.Queues;
        var teamA = config.Queues.Single(q => q.Name == "team-a");
        Assert.Equal("research", teamA.Cohort);
        Assert.Equal(QueueingStrategy.StrictFifo, teamA.Strategy);
        Assert.Equal(2.0, teamA.Weight);
        Assert.Equal(["a100", "spot"], teamA.Flavors.Select(f => f.Flavor));
        Assert.Contains("gpu: {nominal: 8, borrowingLimit: 4, lendingLimit: 2}", sections, StringComparison.Ordinal);
        Assert.Contains("memory: 256Gi", sections, StringComparison.Ordinal);
        Assert.Contains("memory: 1908Mi", sections, StringComparison.Ordinal); // 2G = 2,000,000,000 bytes = 1907.3 MiB, rounded up
        Assert.Contains("cpu: 0.5", sections, StringComparison.Ordinal);
        Assert.Equal(StopPolicy.Hold, config.Queues.Single(q => q.Name == "team-b").Stop);
        Assert.Contains(config.Cohorts, c => c.Name == "research" && c.Parent == "org");
        Assert.Contains(config.PriorityClasses, p => p.Name == "high" && p.Value == 10000);
        Assert.Contains("ml/team-a-queue -> queue team-a", sections, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_NotesEveryFieldWithoutEquivalent_WithFileAndLine()
    {
        using var dir = new TempDir();
        var queues = dir.File("queues.yaml", Queues);
        var flavors = dir.File("flavors.yaml", Flavors);

        var run = CliRun.Of("import", "kueue", flavors, queues);

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] expected =
        [
            $"note: {queues}:6: ClusterQueue team-a: spec.namespaceSelector: ",
            $"note: {queues}:27: ClusterQueue team-a: nominalQuota 2G of memory is not whole MiB; rounded up to 1908Mi",
            $"note: {queues}:34: ClusterQueue team-a: quota of 'pods' in flavor a100: ",
            $"note: {queues}:38: ClusterQueue team-a: spec.preemption.borrowWithinCohort: ",
            $"note: {flavors}:17: ResourceFlavor a100: spec.topologyName: ",
            $"note: {queues}:95: Namespace ml: not a Kueue object (v1); skipped",
            "note: ResourceFlavor a100: spec.nodeTaints: ",
        ];
        foreach (var note in expected)
        {
            Assert.Contains(note, run.Error, StringComparison.Ordinal);
        }

        Assert.Contains("# Not converted (", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_Crds_GivesBerthObjects()
    {
        using var dir = new TempDir();
        var run = CliRun.Of("import", "kueue", dir.File("flavors.yaml", Flavors), dir.File("queues.yaml", Queues), "--to", "crds");

        Assert.True(run.ExitCode == 0, run.ToString());
        var stream = new YamlStream();
        stream.Load(new StringReader(run.Out));
        var kinds = stream.Documents.Select(d => ((YamlMappingNode)d.RootNode)["kind"].ToString()).ToArray();
        Assert.Equal(["Flavor", "Flavor", "Cohort", "Cohort", "PriorityClass", "Queue", "Queue"], kinds);
        var teamA = (YamlMappingNode)stream.Documents[5].RootNode;
        Assert.Equal("berth.dev/v1alpha1", teamA["apiVersion"].ToString());
        var spec = (YamlMappingNode)teamA["spec"];
        Assert.Equal("research", spec["cohort"].ToString());
        Assert.Equal("LowerPriority", ((YamlMappingNode)spec["preemption"])["withinQueue"].ToString());
        Assert.Equal("Any", ((YamlMappingNode)spec["preemption"])["reclaimWithinCohort"].ToString());
        var gpu = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)spec["flavors"])[0])["resources"])["gpu"];
        Assert.Equal("8", gpu["nominalQuota"].ToString());
        var a100 = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["spec"];
        Assert.Equal("true", ((YamlMappingNode)a100["nodeLabels"])["instance-type"].ToString());
        Assert.Equal(YamlDotNet.Core.ScalarStyle.SingleQuoted, ((YamlScalarNode)((YamlMappingNode)a100["nodeLabels"])["instance-type"]).Style);
    }

    [Theory]
    [InlineData("apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: q}\nspec:\n  resourceGroups:\n    - coveredResources: [memory]\n      flavors:\n        - name: f\n          resources:\n            - {name: memory, nominalQuota: lots}\n", 10, "nominalQuota")]
    [InlineData("apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {namespace: x}\n", 1, "metadata.name")]
    [InlineData("apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: q}\nspec: {queueingStrategy: LIFO}\n", 4, "queueingStrategy")]
    [InlineData("kind: [\n", 2, "")]
    public void Import_BadManifest_ExitsTwoNamingFileAndLine(string text, int line, string field)
    {
        using var dir = new TempDir();
        var file = dir.File("bad.yaml", text);

        var run = CliRun.Of("import", "kueue", file);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: {file}:{line}: {(field.Length > 0 ? $"field '{field}'" : string.Empty)}", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64Gi", 65536L, true)]
    [InlineData("2Ti", 2097152L, true)]
    [InlineData("1048576Ki", 1024L, true)]
    [InlineData("1073741824", 1024L, true)]
    [InlineData("2G", 1908L, false)]
    [InlineData("1.5Gi", 1536L, true)]
    [InlineData("-1Gi", null, true)]
    [InlineData("lots", null, true)]
    public void MemoryQuantity_ConvertsToMiBRoundingUp(string text, long? mib, bool exact)
    {
        Assert.Equal(mib, Import.KueueReader.MemoryMiB(text, out var wasExact));
        Assert.Equal(exact, wasExact);
    }
}
