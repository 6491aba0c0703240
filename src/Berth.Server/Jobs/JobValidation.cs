using System.Globalization;
using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Server.Jobs;

/// <summary>
/// Checks a submitted <see cref="JobSpec"/> against the server's queueing configuration and turns it into the
/// engine's <see cref="Workload"/>. The same function runs on submit and when the store is loaded, so a job reads
/// back exactly as it was accepted. Throws <see cref="JobSpecException"/> naming the field and the fix.
/// </summary>
public static class JobValidation
{
    public const int MaxPodsPerSet = 10_000;

    public static Workload Build(string id, JobSpec spec, QueueConfiguration configuration, JobRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(configuration);
        if (spec.Name is { } name && (name.Length > 253 || name.Any(char.IsControl)))
        {
            throw new JobSpecException("name", "name is longer than 253 characters or has control characters; give a short printable name");
        }

        if (string.IsNullOrWhiteSpace(spec.Queue))
        {
            throw new JobSpecException("queue", $"queue is missing; name one of the server's queues ({Names(configuration.Queues.Select(q => q.Name))})");
        }

        var queue = configuration.Queues.FirstOrDefault(q => q.Name == spec.Queue)
            ?? throw new JobSpecException("queue", $"queue '{spec.Queue}' does not exist; use one of {Names(configuration.Queues.Select(q => q.Name))}");
        var priority = 0;
        var preemptible = true;
        if (spec.PriorityClass is { } className)
        {
            var pc = configuration.PriorityClasses.FirstOrDefault(p => p.Name == className)
                ?? throw new JobSpecException("priorityClass", $"priority class '{className}' does not exist; use one of {Names(configuration.PriorityClasses.Select(p => p.Name))} or leave it out");
            priority = pc.Value;
            preemptible = pc.Preemptible;
        }

        if (spec.PodSets is not { Count: > 0 } sets)
        {
            throw new JobSpecException("podSets", "podSets is missing or empty; give at least one, such as [{\"count\": 1, \"gpus\": 1}]");
        }

        var podSets = new List<PodSet>();
        for (var i = 0; i < sets.Count; i++)
        {
            podSets.Add(PodSetOf(sets[i], $"podSets[{i}]"));
        }

        if (podSets.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != podSets.Count)
        {
            throw new JobSpecException("podSets", "two pod sets share a name; name each pod set once");
        }

        TimeSpan? duration = null;
        if (spec.Duration is { } text)
        {
            if (!DurationText.TryParse(text, out var d) || d <= TimeSpan.Zero)
            {
                throw new JobSpecException("duration", $"duration '{text}' is not a positive duration; write it like 90s, 30m or 2h");
            }

            duration = d;
        }
        else if (rules.DurationRequired)
        {
            throw new JobSpecException("duration", "duration is missing; on simulated nodes a job runs for its declared duration, such as 30m");
        }

        if (spec.Command is { } argv && (argv.Count == 0 || argv.Any(string.IsNullOrEmpty)))
        {
            throw new JobSpecException("command", "command is empty or has an empty argument; give the program and its arguments, such as [\"python\", \"train.py\"]");
        }

        if (rules.CommandRequired && spec.Command is null)
        {
            throw new JobSpecException("command", "command is missing; this server runs jobs as processes on this machine, so give the program and its arguments (berth submit ... -- python train.py)");
        }

        if (spec.Env is { } env && env.Keys.Any(k => k.Length == 0 || k.Contains('=', StringComparison.Ordinal)))
        {
            throw new JobSpecException("env", "an env name is empty or has '='; give names such as BATCH_SIZE");
        }

        if (spec.RestartPolicy is not (null or RestartPolicy.Never or RestartPolicy.OnFailure))
        {
            throw new JobSpecException("restartPolicy", $"restartPolicy '{spec.RestartPolicy}' is unknown; give Never or OnFailure");
        }

        if (spec.BackoffLimit is { } limit && (limit < 0 || limit > 100 || spec.RestartPolicy != RestartPolicy.OnFailure))
        {
            throw new JobSpecException("backoffLimit", spec.RestartPolicy != RestartPolicy.OnFailure
                ? "backoffLimit goes with restartPolicy OnFailure; add it or drop backoffLimit"
                : $"backoffLimit is {limit}; give 0 to 100 restarts");
        }

        if (spec.CheckpointSignal is { } signal && LocalSignal(signal) is null)
        {
            throw new JobSpecException("checkpointSignal", $"checkpointSignal '{signal}' is not one Berth sends; give USR1, USR2 or HUP, or leave it out for SIGTERM first");
        }

        if (spec.GpuActivity is { } activity && !(activity >= 0 && activity <= 1))
        {
            throw new JobSpecException("gpuActivity", $"gpuActivity is {activity.ToString(System.Globalization.CultureInfo.InvariantCulture)}; give the share of time its GPUs are busy, from 0 to 1 (0.45 for 45%), or leave it out");
        }

        var (datasets, localityWait) = DatasetsOf(spec);
        var workload = new Workload(id)
        {
            Datasets = datasets,
            LocalityWait = localityWait,
            GpuActivity = spec.GpuActivity,
            Queue = queue.Name,
            PodSets = podSets,
            Priority = priority,
            Preemptible = preemptible,
            ExpectedRunTime = duration,
            Duration = duration,
        };
        try
        {
            workload.Validate();
        }
        catch (ArgumentException e)
        {
            throw new JobSpecException("podSets", e.Message);
        }

        return workload;
    }

    private static (DatasetRef[] Datasets, TimeSpan? Wait) DatasetsOf(JobSpec spec)
    {
        var datasets = new List<DatasetRef>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (spec.Datasets?.Count ?? 0); i++)
        {
            var d = spec.Datasets![i];
            var path = $"datasets[{i}]";
            if (d is null || string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 253)
            {
                throw new JobSpecException(path + ".name", $"{path}.name is missing; name the dataset as nodes report it in their cache, such as {{\"name\": \"imagenet\", \"sizeGb\": 150}}");
            }

            if (d.SizeGb is not { } size || !(size > 0) || double.IsInfinity(size))
            {
                throw new JobSpecException(path + ".sizeGb", $"dataset {d.Name} has no size; give its size in GB, such as \"sizeGb\": 150");
            }

            if (!names.Add(d.Name))
            {
                throw new JobSpecException(path + ".name", $"dataset {d.Name} is named twice; list each dataset once");
            }

            datasets.Add(new DatasetRef(d.Name, size));
        }

        TimeSpan? wait = null;
        if (spec.LocalityWait is { } text)
        {
            if (!DurationText.TryParse(text, out var w) || w < TimeSpan.Zero)
            {
                throw new JobSpecException("localityWait", $"localityWait '{text}' is not a duration; write it like 90s, 10m or 1h");
            }

            if (datasets.Count == 0)
            {
                throw new JobSpecException("localityWait", "localityWait goes with datasets; name the datasets it reads, or leave localityWait out");
            }

            wait = w;
        }

        return ([.. datasets], wait);
    }

    private static PodSet PodSetOf(PodSetSpec set, string path)
    {
        if (set is null)
        {
            throw new JobSpecException(path, $"{path} is null; give an object such as {{\"count\": 1, \"gpus\": 1}}");
        }

        if (string.IsNullOrWhiteSpace(set.Name) || set.Name.Length > 63)
        {
            throw new JobSpecException(path + ".name", $"{path}.name is empty or longer than 63 characters; give a short name such as workers");
        }

        if (set.Count is < 1 or > MaxPodsPerSet)
        {
            throw new JobSpecException(path + ".count", $"{path}.count is {set.Count}; give 1 to {MaxPodsPerSet} pods");
        }

        if (set.MinCount is { } min && (min < 1 || min > set.Count))
        {
            throw new JobSpecException(path + ".minCount", $"{path}.minCount is {min}; give 1 to its count {set.Count}, or leave it out for a job that needs every pod");
        }

        if (set.Gpus < 0 || set.Gpus > Limits.MaxGpusPerNode)
        {
            throw new JobSpecException(path + ".gpus", $"{path}.gpus is {set.Gpus}; give 0 to {Limits.MaxGpusPerNode} whole GPUs per pod");
        }

        int count = set.Gpus, milli = Limits.GpuMilliPerGpu;
        if (set.GpuShare is { } share)
        {
            if (set.Gpus != 0)
            {
                throw new JobSpecException(path + ".gpuShare", $"{path} asks for both gpus and gpuShare; a pod takes whole GPUs or a share of one, so leave one out");
            }

            if (!(share > 0 && share < 1))
            {
                throw new JobSpecException(path + ".gpuShare", string.Create(CultureInfo.InvariantCulture, $"{path}.gpuShare is {share}; give a share of one GPU between 0 and 1, such as 0.5 (use gpus for whole GPUs)"));
            }

            count = 1;
            milli = (int)Math.Round(share * Limits.GpuMilliPerGpu);
            if (milli is < 1 or >= Limits.GpuMilliPerGpu)
            {
                throw new JobSpecException(path + ".gpuShare", $"{path}.gpuShare rounds to {milli}/1000 of a GPU; give a share between 0.001 and 0.999");
            }
        }

        if (set.GpuMemoryGiB is { } gpuMemory && (set.GpuShare is null || !(gpuMemory > 0) || gpuMemory > 1024))
        {
            throw new JobSpecException(path + ".gpuMemoryGiB", set.GpuShare is null
                ? $"{path}.gpuMemoryGiB goes with gpuShare (the MPS memory limit of a share); a pod with whole GPUs has their memory"
                : string.Create(CultureInfo.InvariantCulture, $"{path}.gpuMemoryGiB is {gpuMemory}; give more than 0 and at most 1024 GiB"));
        }

        if (!(set.Cpu >= 0) || set.Cpu > 1_000_000)
        {
            throw new JobSpecException(path + ".cpu", string.Create(CultureInfo.InvariantCulture, $"{path}.cpu is {set.Cpu}; give 0 or more CPU cores per pod"));
        }

        if (!(set.MemoryGiB >= 0) || set.MemoryGiB > 1_000_000)
        {
            throw new JobSpecException(path + ".memoryGiB", string.Create(CultureInfo.InvariantCulture, $"{path}.memoryGiB is {set.MemoryGiB}; give 0 or more GiB per pod"));
        }

        if (set.Resources is not null && (set.Gpus != 0 || set.GpuShare is not null || set.GpuMemoryGiB is not null))
        {
            throw new JobSpecException(path + ".resources", $"{path} asks for GPUs both in resources and in gpus, gpuShare or gpuMemoryGiB; write them one way, such as resources {{\"nvidia.com/gpu\": \"2\"}}");
        }

        var pod = new Pod
        {
            Name = set.Name,
            GpuCount = count,
            GpuMilli = count == 0 ? 0 : milli,
            CpuMilli = (long)Math.Round(set.Cpu * 1000),
            MemoryMiB = (long)Math.Round(set.MemoryGiB * 1024),
            GpuMemoryMiB = set.GpuMemoryGiB is { } pinned ? (long)Math.Round(pinned * 1024) : 0,
        };
        if (set.Resources is not null)
        {
            pod = JobResources.Apply(pod, set.Resources, path);
        }

        return new PodSet(set.Name, set.Count, pod) { MinCount = set.MinCount ?? set.Count };
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToArray();
        return list.Length == 0 ? "(none declared)" : string.Join(", ", list);
    }

    /// <summary>The signal name <c>kill</c> takes for a checkpoint signal (<c>USR1</c> or <c>SIGUSR1</c>, any case); null when not allowed.</summary>
    public static string? LocalSignal(string signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var name = signal.Trim().ToUpperInvariant();
        name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        return name is "USR1" or "USR2" or "HUP" ? name : null;
    }
}
