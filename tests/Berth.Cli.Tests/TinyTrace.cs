using System.Globalization;
using System.Text;

namespace Berth.Cli.Tests;

/// <summary>Small openb-format CSVs a test writes to disk: a handful of nodes and a few dozen pods, so a run takes milliseconds.</summary>
internal static class TinyTrace
{
    public const string NodesHeader = "sn,cpu_milli,memory_mib,gpu,model";
    public const string PodsHeader = "name,cpu_milli,memory_mib,num_gpu,gpu_milli";

    public static string Nodes()
    {
        var csv = new StringBuilder(NodesHeader).Append('\n');
        for (var i = 0; i < 6; i++)
        {
            var gpus = i % 2 == 0 ? 8 : 2;
            csv.Append(CultureInfo.InvariantCulture, $"node-{i},96000,393216,{gpus},V100M32\n");
        }

        csv.Append("cpu-node,64000,262144,0,\n");
        return csv.ToString();
    }

    public static string Pods()
    {
        var csv = new StringBuilder(PodsHeader).Append('\n');
        int[] shares = [1000, 500, 250, 1000, 750, 1000, 300];
        for (var i = 0; i < 40; i++)
        {
            var multi = i % 9 == 0;
            var cpuOnly = i % 11 == 5;
            var (gpus, milli) = cpuOnly ? (0, 0) : multi ? (2, 1000) : (1, shares[i % shares.Length]);
            csv.Append(CultureInfo.InvariantCulture, $"pod-{i},{4000 + (i % 4 * 2000)},16384,{gpus},{milli}\n");
        }

        return csv.ToString();
    }
}
