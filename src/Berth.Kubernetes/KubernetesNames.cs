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

    /// <summary>Kueue's pod template annotation: all pods of the pod set inside one domain of this node label (topology-aware scheduling).</summary>
    public const string KueueRequiredTopologyAnnotation = "kueue.x-k8s.io/podset-required-topology";

    /// <summary>Kueue's pod template annotation: the pod set inside one domain of this node label when one has room, else of the next wider level.</summary>
    public const string KueuePreferredTopologyAnnotation = "kueue.x-k8s.io/podset-preferred-topology";

    /// <summary>Berth's own queue label (same meaning as Kueue's).</summary>
    public const string QueueLabel = "berth.dev/queue";

    /// <summary>The scheduler-plugins coscheduling label naming the gang (PodGroup) of a plain pod; also honoured as an annotation.</summary>
    public const string PodGroupLabel = "scheduling.x-k8s.io/pod-group";

    /// <summary>Volcano's annotation naming the pod group of a pod; honoured when the label is absent.</summary>
    public const string VolcanoPodGroupAnnotation = "scheduling.k8s.io/group-name";

    /// <summary>Annotation on a bound pod: the GPU indices on its node, comma separated (e.g. <c>0,1</c>).</summary>
    public const string GpuIndicesAnnotation = "berth.dev/gpu-indices";

    /// <summary>
    /// Annotation on a running pod whose node is being reclaimed (spot): when Berth asked it to save its progress
    /// (RFC 3339). The pod is stopped right after; its termination grace period is the time it has to checkpoint.
    /// </summary>
    public const string CheckpointRequestedAnnotation = "berth.dev/checkpoint-requested";

    /// <summary>Annotation on a bound pod: milli-GPU per assigned GPU (1000 = whole GPU).</summary>
    public const string GpuMilliAnnotation = "berth.dev/gpu-milli";

    /// <summary>Annotation on a pod: asks for a fraction of one GPU, in milli-GPU (e.g. <c>500</c>).</summary>
    public const string GpuShareRequestAnnotation = "berth.dev/gpu-share";

    /// <summary>
    /// Node condition Berth owns: False (reason <c>GpuUnhealthy</c>) while telemetry holds some of the node's GPUs out
    /// as unhealthy, naming them; True once they are back. Apart from an admin's cordon and the
    /// <c>berth.dev/unhealthy-gpus</c> annotation, which Berth never writes.
    /// </summary>
    public const string GpuHealthCondition = "BerthGpuHealthy";

    /// <summary>Reason of the Event on a node when telemetry marks one of its GPUs unhealthy.</summary>
    public const string GpuUnhealthyReason = "GpuUnhealthy";

    /// <summary>Reason of the Event on a node when a GPU telemetry marked is back in service.</summary>
    public const string GpuHealthyReason = "GpuHealthy";

    /// <summary>Annotation on a node: GPU indices that are unhealthy, comma separated.</summary>
    public const string UnhealthyGpusAnnotation = "berth.dev/unhealthy-gpus";

    /// <summary>The extended resource of NVIDIA's device plugin.</summary>
    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>
    /// Taint key and value that mark every GPU of a node unhealthy (<c>nvidia.com/gpu=unhealthy:NoSchedule</c>
    /// or <c>:NoExecute</c>), as health checkers such as the NVIDIA GPU operator's set them.
    /// </summary>
    public const string GpuUnhealthyTaintValue = "unhealthy";

    /// <summary>Node label an administrator may set to name the GPU model explicitly; wins over the labels below.</summary>
    public const string GpuModelLabel = "berth.dev/gpu-model";

    /// <summary>GPU Feature Discovery's label with the GPU product name (e.g. <c>NVIDIA-A100-SXM4-80GB</c>).</summary>
    /// <summary>Node label: GPUs per NVLink island inside the node (2: pairs linked by NVLink bridges); absent: one island.</summary>
    public const string NvlinkIslandSizeLabel = "berth.dev/nvlink-island-size";

    /// <summary>
    /// Node annotation: the node's inside as JSON (NVLink island, PCIe switch and NUMA node of each GPU, the NUMA nodes'
    /// CPUs and memory, the kubelet's topology-manager policy); see docs/FORMATS.md. GFD has no NVLink label and
    /// NodeResourceTopology objects give per-NUMA amounts but not which GPU is where, so an operator (or a node agent
    /// reading <c>nvidia-smi topo -m</c>) writes this.
    /// </summary>
    public const string GpuTopologyAnnotation = "berth.dev/gpu-topology";

    /// <summary>Pod annotation: <c>single-numa-node</c> asks that the pod's GPUs, CPUs and memory come from one NUMA node.</summary>
    public const string TopologyPolicyAnnotation = "berth.dev/topology-policy";

    public const string GpuProductLabel = "nvidia.com/gpu.product";

    /// <summary>GPU Feature Discovery's label with the memory of one GPU in MiB.</summary>
    public const string GpuMemoryLabel = "nvidia.com/gpu.memory";

    /// <summary>GPU Feature Discovery's label: physical GPUs on the node (time-slicing and MIG advertise more devices than that).</summary>
    public const string GpuCountLabel = "nvidia.com/gpu.count";

    /// <summary>GPU Feature Discovery's label: replicas per GPU under the device plugin's time-slicing or MPS sharing (1 = unshared).</summary>
    public const string GpuReplicasLabel = "nvidia.com/gpu.replicas";

    /// <summary>GPU Feature Discovery's label: <c>time-slicing</c>, <c>mps</c> or <c>none</c>, how the replicas share a GPU.</summary>
    public const string GpuSharingStrategyLabel = "nvidia.com/gpu.sharing-strategy";

    /// <summary>GPU Feature Discovery's label: the device plugin's MIG strategy, <c>none</c>, <c>single</c> or <c>mixed</c>.</summary>
    public const string MigStrategyLabel = "nvidia.com/mig.strategy";

    /// <summary>Annotation on a bound pod that holds MIG instances: where each is, <c>gpu:profile@start</c>, comma separated (e.g. <c>0:1g.10gb@3</c>).</summary>
    public const string MigInstancesAnnotation = "berth.dev/mig-instances";

    /// <summary>GKE's accelerator label (e.g. <c>nvidia-tesla-a100</c>), the fallback when GPU Feature Discovery is not installed.</summary>
    public const string GkeAcceleratorLabel = "cloud.google.com/gke-accelerator";

    /// <summary>Annotation on a Job: the fewest pods it can run with (an elastic job), 1..parallelism.</summary>
    public const string MinParallelismAnnotation = "berth.dev/min-parallelism";

    /// <summary>Annotation on a Job or pod: how long it is expected to run (e.g. <c>2h</c>); backfill and start-time estimates use it.</summary>
    public const string ExpectedRunTimeAnnotation = "berth.dev/expected-run-time";

    /// <summary>Annotation on a Job or pod: how often it saves a checkpoint (e.g. <c>30m</c>); victims that lose the least work are preferred.</summary>
    public const string CheckpointIntervalAnnotation = "berth.dev/checkpoint-interval";

    /// <summary>Annotation on a Job, pod or PriorityClass: <c>"false"</c> makes its workloads never preempted (KAI's flag, separate from priority).</summary>
    public const string PreemptibleAnnotation = "berth.dev/preemptible";

    /// <summary>Annotation on a Job, PodGroup or framework object: <c>"true"</c> or <c>"false"</c>, whether a spot flavor may hold it (see <see cref="Translation.SpotToleration"/>).</summary>
    public const string ToleratesSpotAnnotation = "berth.dev/tolerates-spot";

    /// <summary>Annotation on the pods of a label-only gang (no PodGroup object): how many of them must run together; default all that exist.</summary>
    public const string MinMemberAnnotation = "berth.dev/min-member";

    /// <summary>Taint the planner puts on a cordoned, unready or GPU-unhealthy node in its own view, so nothing new goes there.</summary>
    public const string UnusableTaint = Runtime.View.ViewNode.UnusableTaint;

    /// <summary>Annotation Berth keeps on a Job or PodGroup: how many times it was requeued because its pods did not all become ready in time, or because an admission check said Retry.</summary>
    public const string RequeuesAnnotation = "berth.dev/requeues";

    /// <summary>Annotation Berth keeps on a requeued Job or PodGroup: not tried again before this time (RFC 3339).</summary>
    public const string BackoffUntilAnnotation = "berth.dev/backoff-until";

    /// <summary>
    /// Annotation Berth writes (RFC 3339) on a Job or PodGroup it stopped for good because its queue reclaimed its idle
    /// GPUs (<c>spec.idleGpus.action: Reclaim</c>): the workload fails with reason <c>IdleGpuReclaimed</c> and is not
    /// admitted again while the annotation is there.
    /// </summary>
    public const string IdleReclaimedAnnotation = "berth.dev/idle-reclaimed";

    /// <summary>
    /// Annotation Berth keeps on a running Job whose GPUs are idle under its queue's policy: the Idle event's message
    /// (a batch/v1 Job's status is the Job controller's, so Berth writes no condition there); removed when it is busy again.
    /// </summary>
    public const string GpuIdleAnnotation = "berth.dev/gpu-idle";

    /// <summary>
    /// Who a workload is charged to in showback: the user who created the Job or PodGroup, written on it by Berth's
    /// mutating webhook from the request's <c>userInfo.username</c> (tenants cannot set or change it while the webhook
    /// runs). Without the webhook, a label or annotation of this name set by whoever creates the workload is read.
    /// </summary>
    public const string UserAnnotation = "berth.dev/user";

    /// <summary>
    /// Annotation Berth writes (RFC 3339) on a PodGroup it stopped for good because it ran past its
    /// <c>spec.maxRunTime</c>: the group fails with reason <c>MaxRunTimeExceeded</c> and is not admitted again while
    /// the annotation is there.
    /// </summary>
    public const string MaxRunTimeExceededAnnotation = "berth.dev/max-run-time-exceeded";

    /// <summary>
    /// Annotation Berth writes (RFC 3339) beside the admission record of a Job or PodGroup whose queue names admission
    /// checks: quota (and, for a PodGroup, nodes) is reserved but the workload does not start (the Job stays
    /// suspended, the pods unbound) until every check is <c>Ready</c>; then Berth removes it (Kueue's QuotaReserved
    /// before Admitted).
    /// </summary>
    public const string QuotaReservedAnnotation = "berth.dev/quota-reserved";

    /// <summary>
    /// Annotation Berth writes (RFC 3339) on a Job or PodGroup an admission check rejected (or that ran out of
    /// retries): it fails with reason <c>AdmissionCheckRejected</c> and is not admitted again while the annotation is there.
    /// </summary>
    public const string AdmissionCheckRejectedAnnotation = "berth.dev/admission-check-rejected";

    /// <summary>Annotation Berth writes on a Job or PodGroup once all its admitted pods have been ready (RFC 3339): the ready timeout no longer applies.</summary>
    public const string PodsReadyAnnotation = "berth.dev/pods-ready-at";

    /// <summary>Pod annotation the cluster autoscaler matches to a ProvisioningRequest's booked capacity (its name, in the pod's namespace).</summary>
    public const string ConsumeProvisioningRequestAnnotation = "autoscaling.x-k8s.io/consume-provisioning-request";

    /// <summary>Pod annotation naming the provisioning class of the request it consumes, beside the one above.</summary>
    public const string ProvisioningClassNameAnnotation = "autoscaling.x-k8s.io/provisioning-class-name";

    /// <summary>
    /// Annotation Berth's provisioning check writes on a Job or PodGroup: the ProvisioningRequest it made for it. The
    /// pods of such a PodGroup that wait for nodes keep Berth's code instead of <c>Unschedulable</c>, so the cluster
    /// autoscaler scales up once, for the request, not also for the pods.
    /// </summary>
    public const string ProvisioningRequestAnnotation = "berth.dev/provisioning-request";
}
