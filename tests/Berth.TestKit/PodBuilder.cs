using Berth.Model;

namespace Berth.TestKit;

/// <summary>Builds a <see cref="Pod"/>; defaults to 1 core, 1 GiB, no GPU.</summary>
public sealed class PodBuilder(string name)
{
    private long _cpu = 1_000;
    private long _memory = 1024;
    private int _gpus;
    private int _milli;
    private string[] _models = [];
    private readonly Dictionary<string, string> _selector = new(StringComparer.Ordinal);
    private readonly List<Toleration> _tolerations = [];
    private int _priority;
    private string? _migProfile;
    private int _migCount;
    private int _replicas;
    private long _gpuMemory;

    public PodBuilder Cpu(long milli) { _cpu = milli; return this; }

    public PodBuilder Memory(long mib) { _memory = mib; return this; }

    /// <summary>Whole GPUs.</summary>
    public PodBuilder Gpus(int count) { _gpus = count; _milli = 1000; return this; }

    /// <summary>A share of one GPU, in milli-GPU.</summary>
    public PodBuilder GpuShare(int milli) { _gpus = 1; _milli = milli; return this; }

    /// <summary>MIG instances of one profile (<c>nvidia.com/mig-&lt;profile&gt;</c>).</summary>
    public PodBuilder Mig(string profile, int count = 1) { _migProfile = profile; _migCount = count; return this; }

    /// <summary>Time-sliced or MPS replicas (<c>nvidia.com/gpu.shared</c>) and the GPU memory they need.</summary>
    public PodBuilder Replicas(int count, long gpuMemoryMiB = 0) { _replicas = count; _gpuMemory = gpuMemoryMiB; return this; }

    public PodBuilder Models(params string[] models) { _models = models; return this; }

    public PodBuilder Selector(string key, string value) { _selector[key] = value; return this; }

    public PodBuilder Tolerate(string key, string? value = null, TaintEffect? effect = null)
    {
        _tolerations.Add(new Toleration(key, value is null ? TolerationOperator.Exists : TolerationOperator.Equal, value, effect));
        return this;
    }

    public PodBuilder Priority(int priority) { _priority = priority; return this; }

    public Pod Build() => new()
    {
        Name = name,
        CpuMilli = _cpu,
        MemoryMiB = _memory,
        GpuCount = _gpus,
        GpuMilli = _milli,
        AllowedGpuModels = _models,
        NodeSelector = new Dictionary<string, string>(_selector, StringComparer.Ordinal),
        Tolerations = _tolerations.ToArray(),
        Priority = _priority,
        MigProfile = _migProfile,
        MigCount = _migCount,
        SharedGpuReplicas = _replicas,
        GpuMemoryMiB = _gpuMemory,
    };
}
