using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.TestKit;

/// <summary>Builds a <see cref="Node"/> with sensible defaults (32 cores, 256 GiB, no GPU).</summary>
public sealed class NodeBuilder(string name)
{
    private long _cpu = 32_000;
    private long _memory = 256 * 1024;
    private int _gpus;
    private string? _model;
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly List<Taint> _taints = [];
    private GpuSharing _sharing = GpuSharing.Exclusive;

    public NodeBuilder Cpu(long milli) { _cpu = milli; return this; }

    public NodeBuilder Memory(long mib) { _memory = mib; return this; }

    public NodeBuilder Gpus(int count, string model = "A100") { _gpus = count; _model = model; return this; }

    public NodeBuilder Sharing(GpuSharing sharing) { _sharing = sharing; return this; }

    /// <summary>MIG with <paramref name="layout"/> (instance texts such as <c>3g.40gb@4</c>) on every GPU.</summary>
    public NodeBuilder Mig(bool repartition, params string[] layout) { _sharing = GpuSharing.Mig(MigLayout.Parse(layout), repartition); return this; }

    public NodeBuilder Label(string key, string value) { _labels[key] = value; return this; }

    public NodeBuilder Taint(string key, string? value = null, TaintEffect effect = TaintEffect.NoSchedule) { _taints.Add(new Taint(key, value, effect)); return this; }

    public Node Build() => new()
    {
        Name = name,
        CpuMilli = _cpu,
        MemoryMiB = _memory,
        GpuCount = _gpus,
        GpuModel = _gpus > 0 ? _model : null,
        Labels = new Dictionary<string, string>(_labels, StringComparer.Ordinal),
        Taints = _taints.ToArray(),
        Sharing = _sharing,
    };
}
