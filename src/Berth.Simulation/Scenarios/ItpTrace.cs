using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Input;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Reads the ITP job logs (Microsoft's GPU training platform, ElasticFlow traces; see
/// shared/traces/itp/SOURCE.md): one workload per row, id <c>{file stem}/{job_id}</c>, submitted at
/// <c>submission_time</c>, running <c>duration</c> seconds, one gang pod set <c>workers</c>. A job of at most
/// <see cref="ItpSourceOptions.GpusPerPod"/> GPUs is one pod; a larger one is <c>num_gpu / GpusPerPod</c>
/// pods of <c>GpusPerPod</c> GPUs. Every bad row throws <see cref="InputException"/> with file, line and column.
/// </summary>
public static class ItpTrace
{
    public static readonly IReadOnlyList<string> Columns = ["job_id", "submission_time", "duration", "num_gpu"];

    /// <summary>The name of the single pod set of an ITP workload.</summary>
    public const string PodSetName = "workers";

    public static IReadOnlyList<Workload> Read(string path, ItpSourceOptions options)
    {
        var lines = new List<int>();
        return Read(path, options, lines);
    }

    /// <summary>As <see cref="Read(string, ItpSourceOptions)"/>, adding each workload's 1-based line to <paramref name="lines"/>.</summary>
    internal static List<Workload> Read(string path, ItpSourceOptions options, List<int> lines)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, "file not found; check the path (relative paths are resolved against the scenario file's folder)");
        }

        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return Read(path, reader, options, lines);
    }

    internal static List<Workload> Read(string path, TextReader reader, ItpSourceOptions options, List<int> lines)
    {
        if (options.GpusPerPod is < 1 or > Limits.MaxGpusPerNode)
        {
            throw new ArgumentException($"gpusPerPod is {options.GpusPerPod}; it must be between 1 and {Limits.MaxGpusPerNode}", nameof(options));
        }

        var table = CsvTable.Read(path, reader, Columns);
        var stem = Path.GetFileNameWithoutExtension(path);
        var queue = options.QueueFor(path);
        var count = options.Limit > 0 ? Math.Min(options.Limit, table.Rows.Count) : table.Rows.Count;
        var workloads = new List<Workload>(count);
        var podSets = new Dictionary<(int Pods, int Gpus), PodSet[]>();
        for (var r = 0; r < count; r++)
        {
            var row = table.Rows[r];
            var jobId = table.Text(row, "job_id");
            if (jobId.Length == 0)
            {
                throw new InputException(path, row.Line, "job_id", "the job id is empty; give every job an id");
            }

            var submit = table.NonNegative(row, "submission_time");
            var duration = table.NonNegative(row, "duration");
            var gpus = table.NonNegative(row, "num_gpu");
            if (gpus == 0)
            {
                throw new InputException(path, row.Line, "num_gpu", $"job {jobId} asks for 0 GPUs; an ITP job holds 1 or more GPUs, so fix or remove the row");
            }

            int pods, perPod;
            if (gpus <= options.GpusPerPod)
            {
                (pods, perPod) = (1, (int)gpus);
            }
            else if (gpus % options.GpusPerPod == 0 && gpus / options.GpusPerPod <= int.MaxValue)
            {
                (pods, perPod) = ((int)(gpus / options.GpusPerPod), options.GpusPerPod);
            }
            else
            {
                throw new InputException(path, row.Line, "num_gpu", $"job {jobId} asks for {gpus} GPUs, which is not a multiple of gpusPerPod {options.GpusPerPod}; set the source's gpusPerPod to a divisor of {gpus}, or fix the row");
            }

            if (!podSets.TryGetValue((pods, perPod), out var sets))
            {
                sets =
                [
                    new PodSet(PodSetName, pods, new Pod
                    {
                        Name = PodSetName,
                        GpuCount = perPod,
                        GpuMilli = Limits.GpuMilliPerGpu,
                        CpuMilli = options.CpuMilliPerGpu * perPod,
                        MemoryMiB = options.MemoryMiBPerGpu * perPod,
                    }),
                ];
                podSets.Add((pods, perPod), sets);
            }

            workloads.Add(new Workload(stem + "/" + jobId)
            {
                Queue = queue,
                SubmitTime = TimeSpan.FromSeconds(submit),
                Duration = TimeSpan.FromSeconds(duration),
                ExpectedRunTime = TimeSpan.FromSeconds(Math.Round(duration * options.ExpectedRunTimeFactor)),
                PodSets = sets,
            });
            lines.Add(row.Line);
        }

        return workloads;
    }
}
