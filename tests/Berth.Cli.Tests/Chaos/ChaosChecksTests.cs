using Berth.Kubernetes;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.TestKit.Kubernetes.Fake;
using k8s.Models;

namespace Berth.Cli.Tests.Chaos;

/// <summary>The chaos harness's invariants catch what they claim to: each broken case is found, its control is not.</summary>
public sealed class ChaosChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static readonly ChaosOptions Options = new() { BerthDll = "unused", Nodes = 1, GpusPerNode = 8, Queues = 2, NominalGpus = 8, BorrowingLimitGpus = 4, GangTimeout = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(600, false, false)]
    [InlineData(600, true, false)] // a terminating pod still holds its share
    [InlineData(500, true, true)]
    public void Gpus_TwoSharesOnOneGpu_OverOneGpuIsAViolation(int milli, bool firstTerminating, bool fits)
    {
        var first = Bound("a-0", "gpu-00", "0", milli);
        if (firstTerminating)
        {
            first.Metadata.DeletionTimestamp = Now.UtcDateTime;
        }

        var found = Check(new ChaosSnapshot(Now, [first, Bound("b-0", "gpu-00", "0", milli)], [], []));

        Assert.Equal(fits ? 0 : 1, found.Count(v => v.Invariant == ChaosInvariant.GpusNotOvercommitted));
    }

    [Fact]
    public void Gpus_SucceededPodsHoldNothing()
    {
        var done = Bound("a-0", "gpu-00", "0", 1000);
        done.Status.Phase = "Succeeded";

        Assert.Empty(Check(new ChaosSnapshot(Now, [done, Bound("b-0", "gpu-00", "0", 1000)], [], [])));
    }

    [Fact]
    public void BoundOnce_ASecondBindingOfOnePod_IsAViolation()
    {
        var checks = new ChaosChecks(Options);
        var found = new List<ChaosInvariant>();
        var snapshot = new ChaosSnapshot(Now, [], [], []);

        checks.Check(snapshot, [new BindingRecord(ChaosCluster.Namespace, "a-0", "gpu-00")], [], (i, _) => found.Add(i));
        Assert.Empty(found);
        checks.Check(snapshot, [new BindingRecord(ChaosCluster.Namespace, "a-0", "gpu-00"), new BindingRecord(ChaosCluster.Namespace, "a-0", "gpu-01")], [], (i, _) => found.Add(i));

        Assert.Equal([ChaosInvariant.BoundOnce], found);
    }

    [Theory]
    [InlineData(12, 0)] // nominal 8 + borrowing 4
    [InlineData(13, 1)]
    public void Quota_AdmittedGpusOfAQueue_AboveNominalPlusBorrowingIsAViolation(int gpus, int violations)
    {
        var workloads = new[] { Workload("pg-1", "team-0", ChaosStage.Running), Workload("pg-2", "team-0", ChaosStage.Admitted) };
        var groups = new[] { Admitted("pg-1", 8), Admitted("pg-2", gpus - 8) };

        var found = Check(new ChaosSnapshot(Now, [], [], groups), workloads);

        Assert.Equal(violations, found.Count(v => v.Invariant == ChaosInvariant.QuotaRespected));
    }

    [Theory]
    [InlineData(2, 31, 0)]
    [InlineData(1, 31, 1)]
    [InlineData(1, 10, 0)] // the rest of the time no replica led: the harness was killing them
    public void Gangs_AdmittedLongAgo_BelowMinMemberIsAViolation(int bound, int ledSeconds, int violations)
    {
        var w = Workload("pg-1", "team-0", ChaosStage.Admitted);
        w.AdmittedSeen = Now - TimeSpan.FromSeconds(40);
        var pods = Enumerable.Range(0, bound).Select(i => Bound($"pg-1-{i}", "gpu-00", i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1000, "pg-1")).ToArray();

        var found = Check(new ChaosSnapshot(Now, pods, [], [Admitted("pg-1", 2)], TimeSpan.FromSeconds(ledSeconds)), [w]);

        Assert.Equal(violations, found.Count(v => v.Invariant == ChaosInvariant.GangComplete));
    }

    private static List<ChaosViolation> Check(ChaosSnapshot snapshot, IReadOnlyList<ChaosWorkload>? workloads = null)
    {
        var found = new List<ChaosViolation>();
        new ChaosChecks(Options).Check(snapshot, [], workloads ?? [], (i, m) => found.Add(new ChaosViolation(i, 0, m)));
        return found;
    }

    private static ChaosWorkload Workload(string name, string queue, ChaosStage stage) => new()
    {
        Name = name, IsJob = false, Queue = queue, Pods = 2, MinMember = 2, GpusPerPod = 1, Milli = 1000, RunTime = TimeSpan.FromSeconds(1), Stage = stage,
        AdmittedAt = Now, AdmittedSeen = Now,
    };

    private static PodGroup Admitted(string name, int gpus) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ChaosCluster.Namespace,
            Annotations = new Dictionary<string, string>
            {
                [AdmissionRecord.AnnotationName] = new AdmissionRecord { Flavor = "a100", AdmittedAt = Now, Pods = [new PlannedPod(0, "gpu-00", Enumerable.Range(0, gpus).ToArray(), 1000)] }.ToJson(),
            },
        },
    };

    private static V1Pod Bound(string name, string node, string gpus, int milli, string? workload = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ChaosCluster.Namespace,
            Labels = new Dictionary<string, string> { [ChaosCluster.WorkloadLabel] = workload ?? name },
            Annotations = new Dictionary<string, string> { [KubernetesNames.GpuIndicesAnnotation] = gpus, [KubernetesNames.GpuMilliAnnotation] = milli.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [] },
        Status = new V1PodStatus { Phase = "Running" },
    };
}
