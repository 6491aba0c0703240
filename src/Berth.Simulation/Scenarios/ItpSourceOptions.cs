namespace Berth.Simulation.Scenarios;

/// <summary>How <see cref="ItpTrace"/> turns ITP jobs (<c>job_id,submission_time,duration,num_gpu</c>) into workloads.</summary>
public sealed record ItpSourceOptions
{
    /// <summary>The queue of every job; <c>{file}</c> is replaced by the file name without extension (cluster01).</summary>
    public string Queue { get; init; } = "{file}";

    /// <summary>GPUs of one pod: a job with more GPUs is split into pods of this many (its GPU count must be a multiple).</summary>
    public int GpusPerPod { get; init; } = 8;

    /// <summary>CPU request per GPU, milli-cores.</summary>
    public long CpuMilliPerGpu { get; init; }

    /// <summary>Memory request per GPU, MiB.</summary>
    public long MemoryMiBPerGpu { get; init; }

    /// <summary>ExpectedRunTime = duration x this factor, rounded to whole seconds (1: users declare exact run times).</summary>
    public double ExpectedRunTimeFactor { get; init; } = 1.0;

    /// <summary>Read at most this many jobs (rows) of each file; 0: all.</summary>
    public int Limit { get; init; }

    /// <summary>The queue of jobs read from <paramref name="path"/>.</summary>
    public string QueueFor(string path) => Queue.Replace("{file}", Path.GetFileNameWithoutExtension(path), StringComparison.Ordinal);
}
