using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.TestKit;

/// <summary>Builds a workload: <c>Make.Workload("w1").In("team-a").Pods(4, gpus: 1).At(0).Runs(3600).Build()</c>.</summary>
public sealed class WorkloadBuilder(string id)
{
    private readonly List<PodSet> _sets = [];
    private string _queue = "q";
    private int _priority;
    private bool _preemptible = true;
    private TimeSpan _submit;
    private TimeSpan? _duration;
    private TimeSpan? _expected;
    private TimeSpan? _checkpoint;
    private TimeSpan? _startup;
    private TimeSpan? _maxRun;

    public WorkloadBuilder In(string queue) { _queue = queue; return this; }

    /// <summary>Adds a pod set of <paramref name="count"/> pods with whole GPUs each (min count = count unless given).</summary>
    public WorkloadBuilder Pods(int count, int gpus = 1, int? min = null, long cpuMilli = 1000, long memoryMiB = 1024, string? name = null)
    {
        var template = new Pod { Name = "t", CpuMilli = cpuMilli, MemoryMiB = memoryMiB, GpuCount = gpus, GpuMilli = gpus > 0 ? Limits.GpuMilliPerGpu : 0 };
        _sets.Add(new PodSet(name ?? $"set{_sets.Count}", count, template) { MinCount = min ?? count });
        return this;
    }

    public WorkloadBuilder Priority(int priority) { _priority = priority; return this; }

    public WorkloadBuilder NotPreemptible() { _preemptible = false; return this; }

    public WorkloadBuilder At(double seconds) { _submit = TimeSpan.FromSeconds(seconds); return this; }

    public WorkloadBuilder Runs(double seconds, double? expected = null)
    {
        _duration = TimeSpan.FromSeconds(seconds);
        _expected = TimeSpan.FromSeconds(expected ?? seconds);
        return this;
    }

    public WorkloadBuilder Checkpoint(double seconds) { _checkpoint = TimeSpan.FromSeconds(seconds); return this; }

    public WorkloadBuilder Startup(double seconds) { _startup = TimeSpan.FromSeconds(seconds); return this; }

    public WorkloadBuilder MaxRun(double seconds) { _maxRun = TimeSpan.FromSeconds(seconds); return this; }

    public Workload Build() => new(id)
    {
        Queue = _queue,
        PodSets = _sets.Count > 0 ? _sets.ToArray() : [new PodSet("set0", 1, new Pod { Name = "t", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 1, GpuMilli = Limits.GpuMilliPerGpu })],
        Priority = _priority,
        Preemptible = _preemptible,
        SubmitTime = _submit,
        Duration = _duration,
        ExpectedRunTime = _expected,
        CheckpointInterval = _checkpoint,
        StartupTime = _startup,
        MaxRunTime = _maxRun,
    };
}
