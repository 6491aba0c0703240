using Berth.Kubernetes.Translation;
using Berth.Model;
using CsCheck;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class PodTranslatorTests
{
    /// <summary>A pod spec and the request (milli-cores, MiB, GPUs) Kubernetes would schedule it by.</summary>
    public sealed record RequestCase(string Name, V1PodSpec Spec, long Cpu, long Memory, int Gpus)
    {
        public override string ToString() => Name;
    }

    private static V1Container Sidecar(string cpu)
    {
        var container = Objects.Container(cpu);
        container.RestartPolicy = "Always";
        return container;
    }

    public static TheoryData<RequestCase> RequestCases => new()
    {
        new("Containers' requests add up", new V1PodSpec { Containers = [Objects.Container("1", "1Gi"), Objects.Container("500m", "512Mi")] }, 1500, 1536, 0),
        new("A container without requests counts its limits", new V1PodSpec { Containers = [Objects.Container(cpuLimit: "2", memoryLimit: "4Gi"), Objects.Container("1", "1Gi")] }, 3000, 5120, 0),
        new("A request wins over a limit", new V1PodSpec { Containers = [Objects.Container("1", "1Gi", cpuLimit: "4", memoryLimit: "8Gi")] }, 1000, 1024, 0),
        new("An init container bigger than the sum sets the request", new V1PodSpec { Containers = [Objects.Container("1", "1Gi")], InitContainers = [Objects.Container("4", "512Mi")] }, 4000, 1024, 0),
        new("Init containers count one at a time, not summed", new V1PodSpec { Containers = [Objects.Container("1")], InitContainers = [Objects.Container("2"), Objects.Container("3")] }, 3000, 0, 0),
        new("A sidecar init container runs alongside and adds up", new V1PodSpec { Containers = [Objects.Container("1")], InitContainers = [Sidecar("500m")] }, 1500, 0, 0),
        new("An init container after a sidecar adds to it", new V1PodSpec { Containers = [Objects.Container("1")], InitContainers = [Sidecar("500m"), Objects.Container("2")] }, 2500, 0, 0),
        new("An init container before a sidecar does not", new V1PodSpec { Containers = [Objects.Container("1")], InitContainers = [Objects.Container("2"), Sidecar("500m")] }, 2000, 0, 0),
        new("Overhead adds to the request", new V1PodSpec { Containers = [Objects.Container("1", "1Gi")], Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("100Mi") } }, 1250, 1124, 0),
        new("Memory in decimal megabytes rounds up to MiB", new V1PodSpec { Containers = [Objects.Container(memory: "100M")] }, 0, 96, 0),
        new("GPUs add up over containers", new V1PodSpec { Containers = [Objects.Container(gpus: 2), Objects.Container(gpus: 1)] }, 0, 0, 3),
        new("An init container's GPUs count as a maximum", new V1PodSpec { Containers = [Objects.Container(gpus: 1)], InitContainers = [Objects.Container(gpus: 4)] }, 0, 0, 4),
        new("Pod-level resources replace the containers' cpu and memory", new V1PodSpec
        {
            Containers = [Objects.Container("1", "1Gi", gpus: 1)],
            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("3") } },
        }, 3000, 1024, 1),
    };

    [Theory]
    [MemberData(nameof(RequestCases))]
    public void Translate_PodSpec_RequestsAsKubernetesComputesThem(RequestCase request)
    {
        var pod = Objects.PodOf("p");
        pod.Spec = request.Spec;

        var view = PodTranslator.Translate(pod);

        Assert.Equal(request.Cpu, view.Pod.CpuMilli);
        Assert.Equal(request.Memory, view.Pod.MemoryMiB);
        Assert.Equal(request.Gpus, view.Pod.GpuCount);
        Assert.Equal(request.Gpus > 0 ? 1000 : 0, view.Pod.GpuMilli);
        view.Pod.Validate();
    }

    [Fact]
    public void Translate_GpuOnlyInRequests_CountsThem()
    {
        var container = new V1Container { Name = "c", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new("2") } } };

        Assert.Equal(2, PodTranslator.Translate(Objects.PodOf("p", "ml", container)).Pod.GpuCount);
    }

    /// <summary>A GPU count, a share annotation, and the GPU request Berth must read (count x milli), with a warning or not.</summary>
    public sealed record ShareCase(string Name, int Gpus, string Annotation, int Count, int Milli, bool Warns)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<ShareCase> ShareCases => new()
    {
        new("A share on a pod without GPUs asks for a part of one GPU", 0, "500", 1, 500, false),
        new("A share on a one-GPU pod narrows it to that part", 1, "250", 1, 250, false),
        new("The smallest share is 1 milli-GPU", 0, "1", 1, 1, false),
        new("The largest share is 999 milli-GPU", 1, "999", 1, 999, false),
        new("A share on a multi-GPU pod is ignored with a warning", 2, "500", 2, 1000, true),
        new("A share of 1000 is a whole GPU, so it is ignored with a warning", 1, "1000", 1, 1000, true),
        new("A share of 0 is ignored with a warning", 0, "0", 0, 0, true),
        new("A share that is not a number is ignored with a warning", 1, "half", 1, 1000, true),
        new("A negative share is ignored with a warning", 0, "-5", 0, 0, true),
    };

    [Theory]
    [MemberData(nameof(ShareCases))]
    public void Translate_GpuShareAnnotation_GivesFractionOfOneGpu(ShareCase share)
    {
        var pod = Objects.PodOf("p", "ml", Objects.Container("1", gpus: share.Gpus)).With(annotation: "berth.dev/gpu-share", annotationValue: share.Annotation);

        var view = PodTranslator.Translate(pod);

        Assert.Equal(share.Count, view.Pod.GpuCount);
        Assert.Equal(share.Milli, view.Pod.GpuMilli);
        Assert.Equal(share.Warns, view.Warnings.Any(w => w.Contains("berth.dev/gpu-share", StringComparison.Ordinal)));
        view.Pod.Validate();
    }

    [Fact]
    public void Translate_MoreGpusThanANodeHas_SetsError()
    {
        var view = PodTranslator.Translate(Objects.PodOf("p", "ml", Objects.Container(gpus: 17)));

        Assert.Contains("at most 16", view.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_Metadata_ReadsIdentityPlacementAndOwnership()
    {
        var pod = Objects.PodOf("w-0", "ml").With("berth.dev/queue", "team-a").With("scheduling.x-k8s.io/pod-group", "g1");
        pod.Spec.NodeName = "n7";
        pod.Spec.Priority = 1000;
        pod.Spec.PriorityClassName = "high";
        pod.Spec.ActiveDeadlineSeconds = 3600;
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["pool"] = "a" };
        pod.Spec.Tolerations = [new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }, new V1Toleration { OperatorProperty = "Exists" }];
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = "train", Uid = "j", Controller = true }];
        pod.Metadata.Annotations["berth.dev/expected-run-time"] = "2h";
        pod.Metadata.Annotations["berth.dev/checkpoint-interval"] = "30m";
        pod.Metadata.Annotations["berth.dev/preemptible"] = "false";
        pod.Status = new V1PodStatus { Phase = "Running", Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }] };

        var view = PodTranslator.Translate(pod);

        Assert.Equal("ml/w-0", view.Pod.Name);
        Assert.Equal("ml/w-0", view.Key);
        Assert.Equal("uid-w-0", view.Uid);
        Assert.Equal("n7", view.NodeName);
        Assert.True(view.IsBound);
        Assert.True(view.IsBerthScheduled);
        Assert.Equal("Running", view.Phase);
        Assert.False(view.Terminal);
        Assert.True(view.Ready);
        Assert.Equal("team-a", view.Queue);
        Assert.Equal("g1", view.PodGroup);
        Assert.Equal("train", view.OwnerJob);
        Assert.Equal("high", view.PriorityClassName);
        Assert.Equal(1000, view.Pod.Priority);
        Assert.Equal(TimeSpan.FromHours(1), view.MaxRunTime);
        Assert.Equal(TimeSpan.FromHours(2), view.ExpectedRunTime);
        Assert.Equal(TimeSpan.FromMinutes(30), view.CheckpointInterval);
        Assert.False(view.Preemptible);
        Assert.Equal("a", view.Pod.NodeSelector["pool"]);
        Assert.Equal([new Toleration("nvidia.com/gpu", TolerationOperator.Exists, null, TaintEffect.NoSchedule), new Toleration(null, TolerationOperator.Exists, null, null)], view.Pod.Tolerations);
        Assert.Empty(view.Warnings);
    }

    [Theory]
    [InlineData("Succeeded", true)]
    [InlineData("Failed", true)]
    [InlineData("Running", false)]
    [InlineData("Pending", false)]
    [InlineData(null, false)]
    public void Translate_Phase_TerminalOnlyWhenDone(string? phase, bool terminal)
    {
        var pod = Objects.PodOf("p");
        pod.Status = new V1PodStatus { Phase = phase };

        var view = PodTranslator.Translate(pod);

        Assert.Equal(terminal, view.Terminal);
        Assert.Equal(phase ?? "Pending", view.Phase);
    }

    [Fact]
    public void Translate_QueueLabels_BerthWinsOverKueue()
    {
        var kueueOnly = Objects.PodOf("p").With("kueue.x-k8s.io/queue-name", "kq");
        var both = Objects.PodOf("p").With("kueue.x-k8s.io/queue-name", "kq").With("berth.dev/queue", "bq");

        Assert.Equal("kq", PodTranslator.Translate(kueueOnly).Queue);
        Assert.Equal("bq", PodTranslator.Translate(both).Queue);
        Assert.Null(PodTranslator.Translate(Objects.PodOf("p")).Queue);
    }

    [Fact]
    public void Translate_PodGroupAnnotations_AreHonouredWithoutTheLabel()
    {
        Assert.Equal("a", PodTranslator.Translate(Objects.PodOf("p").With(annotation: "scheduling.x-k8s.io/pod-group", annotationValue: "a")).PodGroup);
        Assert.Equal("v", PodTranslator.Translate(Objects.PodOf("p").With(annotation: "scheduling.k8s.io/group-name", annotationValue: "v")).PodGroup);
    }

    [Fact]
    public void Translate_GpuModelSelectors_RestrictModels()
    {
        var bySelector = Objects.PodOf("p");
        bySelector.Spec.NodeSelector = new Dictionary<string, string> { ["nvidia.com/gpu.product"] = "NVIDIA-A100-SXM4-80GB" };
        var byAffinity = Objects.PodOf("p");
        byAffinity.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "nvidia.com/gpu.product", OperatorProperty = "In", Values = ["NVIDIA-H100-80GB-HBM3", "NVIDIA-A100-SXM4-80GB"] }] }],
                },
            },
        };

        var selected = PodTranslator.Translate(bySelector);
        var affine = PodTranslator.Translate(byAffinity);

        Assert.Equal(["A100"], selected.Pod.AllowedGpuModels);
        Assert.Equal("NVIDIA-A100-SXM4-80GB", selected.Pod.NodeSelector["nvidia.com/gpu.product"]);
        Assert.Equal(["A100", "H100"], affine.Pod.AllowedGpuModels);
        Assert.Empty(affine.Warnings);
    }

    [Fact]
    public void Translate_NodeAffinityBerthDoesNotModel_Warns()
    {
        var pod = Objects.PodOf("p");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "NotIn", Values = ["a"] }] }],
                },
            },
        };

        Assert.Contains(PodTranslator.Translate(pod).Warnings, w => w.Contains("nodeAffinity", StringComparison.Ordinal));
    }

    /// <summary>Assignment annotations on a pod and what Berth reads back: the GPUs and milli, or nothing with a warning.</summary>
    public sealed record AssignmentCase(string Name, string? Indices, string? Milli, int[] Gpus, int ExpectedMilli, bool Warns)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<AssignmentCase> AssignmentCases => new()
    {
        new("Two whole GPUs are read in the written order", "3,1", "1000", [3, 1], 1000, false),
        new("A share of one GPU is read", "5", "250", [5], 250, false),
        new("No annotations mean no assignment", null, null, [], 0, false),
        new("Indices without milli are ignored with a warning", "0", null, [], 0, true),
        new("Milli without indices are ignored with a warning", null, "500", [], 0, true),
        new("A repeated GPU is ignored with a warning", "0,0", "1000", [], 0, true),
        new("An index that is not a number is ignored with a warning", "0,x", "1000", [], 0, true),
        new("An index beyond 15 is ignored with a warning", "16", "1000", [], 0, true),
        new("A share on several GPUs is ignored with a warning", "0,1", "500", [], 0, true),
        new("Milli above 1000 is ignored with a warning", "0", "1500", [], 0, true),
    };

    [Theory]
    [MemberData(nameof(AssignmentCases))]
    public void Translate_AssignmentAnnotations_ReadOrWarn(AssignmentCase assignment)
    {
        var pod = Objects.PodOf("p");
        if (assignment.Indices is not null)
        {
            pod.Metadata.Annotations["berth.dev/gpu-indices"] = assignment.Indices;
        }

        if (assignment.Milli is not null)
        {
            pod.Metadata.Annotations["berth.dev/gpu-milli"] = assignment.Milli;
        }

        var view = PodTranslator.Translate(pod);

        Assert.Equal(assignment.Gpus, view.AssignedGpus);
        Assert.Equal(assignment.ExpectedMilli, view.AssignedGpuMilli);
        Assert.Equal(assignment.Gpus.Length > 0, view.HasAssignment);
        Assert.Equal(assignment.Warns, view.Warnings.Count > 0);
    }

    [Fact]
    public void AssignmentAnnotations_ThenTranslate_GivesTheAssignmentBack()
    {
        var gen = Gen.Int[0, 15].HashSet[1, 8]
            .SelectMany(set => Gen.Shuffle(set.ToArray()))
            .SelectMany(gpus => (gpus.Length == 1 ? Gen.Int[1, 1000] : Gen.Const(1000)).Select(milli => (Gpus: gpus, Milli: milli)));

        gen.Sample(assignment =>
        {
            var pod = Objects.PodOf("p");
            foreach (var (key, value) in PodTranslator.AssignmentAnnotations(assignment.Gpus, assignment.Milli))
            {
                pod.Metadata.Annotations[key] = value;
            }

            var view = PodTranslator.Translate(pod);

            Assert.Equal(assignment.Gpus, view.AssignedGpus);
            Assert.Equal(assignment.Milli, view.AssignedGpuMilli);
            Assert.Empty(view.Warnings);
        });
    }

    [Fact]
    public void AssignmentAnnotations_CpuOnly_IsEmpty()
    {
        Assert.Empty(PodTranslator.AssignmentAnnotations([], 0));
    }

    [Theory]
    [InlineData(new[] { 0, 0 }, 1000, "gpus", "repeats a GPU")]
    [InlineData(new[] { -1 }, 1000, "gpus", "outside 0..15")]
    [InlineData(new[] { 16 }, 1000, "gpus", "outside 0..15")]
    [InlineData(new[] { 0 }, 0, "milli", "between 1 and 1000")]
    [InlineData(new[] { 0 }, 1001, "milli", "between 1 and 1000")]
    [InlineData(new[] { 0, 1 }, 500, "milli", "takes whole GPUs")]
    [InlineData(new int[0], 500, "milli", "no GPU is given")]
    public void AssignmentAnnotations_InvalidAssignment_ThrowsNamingField(int[] gpus, int milli, string field, string mentions)
    {
        var error = Assert.Throws<ArgumentException>(() => PodTranslator.AssignmentAnnotations(gpus, milli));

        Assert.Equal(field, error.ParamName);
        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }
}
