using System.Diagnostics;
using System.Globalization;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Server.Loop;

namespace Berth.Server.Executors;

/// <summary>
/// This machine as one node for the local executor: its CPU cores, its memory, and its NVIDIA GPUs as
/// <c>nvidia-smi</c> lists them (with their UUIDs, which <c>CUDA_VISIBLE_DEVICES</c> names); without
/// <c>nvidia-smi</c> it is a CPU-only node. One flavor <c>local</c> and one queue <c>default</c> that owns it all.
/// </summary>
public sealed record LocalMachine(Node Node, IReadOnlyList<string> GpuUuids)
{
    public const string NodeName = "local";

    /// <summary>This machine, its GPUs read from <paramref name="nvidiaSmi"/> (the program on PATH unless a test gives a stand-in).</summary>
    public static LocalMachine Discover(string nvidiaSmi = "nvidia-smi")
    {
        var uuids = new List<string>();
        string? model = null;
        try
        {
            var start = new ProcessStartInfo(nvidiaSmi) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "--query-gpu=index,uuid,name", "--format=csv,noheader" })
            {
                start.ArgumentList.Add(arg);
            }

            using var smi = Process.Start(start)!;
            var text = smi.StandardOutput.ReadToEnd();
            smi.WaitForExit(10_000);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length >= 3 && parts[1].StartsWith("GPU-", StringComparison.Ordinal))
                {
                    uuids.Add(parts[1]);
                    model ??= ModelOf(parts[2]);
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no nvidia-smi: a CPU-only node
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
        var node = new Node
        {
            Name = NodeName,
            CpuMilli = Environment.ProcessorCount * 1000L,
            MemoryMiB = memory,
            GpuCount = Math.Min(uuids.Count, Limits.MaxGpusPerNode),
            GpuModel = uuids.Count > 0 ? model : null,
        };
        return new LocalMachine(node, uuids);
    }

    /// <summary>The cluster of <c>berth serve --local</c>: this node, one flavor, one queue with all of it.</summary>
    public ServerCluster Cluster()
    {
        var quota = new FlavorQuota("local") { Gpu = new ResourceQuota(Node.GpuCount * 1000L) };
        return new ServerCluster([Node], new QueueConfiguration
        {
            Flavors = [new Flavor("local")],
            Queues = [new Queue("default") { Flavors = [quota] }],
        });
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Node.CpuMilli / 1000} cores, {Node.MemoryMiB / 1024} GiB, {Node.GpuCount} GPUs");

    /// <summary>Berth's model name of an nvidia-smi product name: <c>NVIDIA A100-SXM4-80GB</c> is A100, <c>NVIDIA H100 80GB HBM3</c> H100.</summary>
    public static string ModelOf(string product)
    {
        ArgumentNullException.ThrowIfNull(product);
        var name = product.Replace("NVIDIA ", string.Empty, StringComparison.Ordinal).Replace("Tesla ", string.Empty, StringComparison.Ordinal).Trim();
        return name.Split(' ', '-')[0];
    }
}
