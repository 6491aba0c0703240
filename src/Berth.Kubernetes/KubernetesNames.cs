namespace Berth.Kubernetes;

/// <summary>The API group, labels, annotations and names Berth reads and writes on a Kubernetes cluster.</summary>
public static class KubernetesNames
{
    /// <summary>Berth's own API group for its custom resources.</summary>
    public const string Group = "berth.dev";

    public const string Version = "v1alpha1";

    public const string ApiVersion = Group + "/" + Version;

    /// <summary>The scheduler name pods set (<c>spec.schedulerName</c>) to be placed by Berth.</summary>
    public const string SchedulerName = "berth";

    /// <summary>Kueue's queue label, honoured on Jobs and pods.</summary>
    public const string KueueQueueLabel = "kueue.x-k8s.io/queue-name";

    /// <summary>Berth's own queue label (same meaning as Kueue's).</summary>
    public const string QueueLabel = "berth.dev/queue";

    /// <summary>The scheduler-plugins coscheduling label naming the gang (PodGroup) of a plain pod.</summary>
    public const string PodGroupLabel = "scheduling.x-k8s.io/pod-group";

    /// <summary>Annotation on a bound pod: the GPU indices on its node, comma separated (e.g. <c>0,1</c>).</summary>
    public const string GpuIndicesAnnotation = "berth.dev/gpu-indices";

    /// <summary>Annotation on a bound pod: milli-GPU per assigned GPU (1000 = whole GPU).</summary>
    public const string GpuMilliAnnotation = "berth.dev/gpu-milli";

    /// <summary>Annotation on a pod: asks for a fraction of one GPU, in milli-GPU (e.g. <c>500</c>).</summary>
    public const string GpuShareRequestAnnotation = "berth.dev/gpu-share";

    /// <summary>Annotation on a node: GPU indices that are unhealthy, comma separated.</summary>
    public const string UnhealthyGpusAnnotation = "berth.dev/unhealthy-gpus";

    /// <summary>The extended resource of NVIDIA's device plugin.</summary>
    public const string GpuResource = "nvidia.com/gpu";
}
