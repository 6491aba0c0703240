using Berth.Model.Queueing;
using Berth.Runtime.View;

namespace Berth.Server.Jobs;

/// <summary>
/// A job as the store holds it: what was submitted (<see cref="Spec"/>, and <see cref="Workload"/>, the same
/// checked and turned into the engine's terms), where it is in its life, and where its pods are.
/// Immutable: the store replaces the record on every change, so a reader's copy never moves under it.
/// </summary>
public sealed record JobRecord
{
    /// <summary>Submit order, unique and increasing: the tie-break after the submit time, and the paging cursor.</summary>
    public required long Seq { get; init; }

    public required string Id { get; init; }

    public required JobSpec Spec { get; init; }

    public required Workload Workload { get; init; }

    public required JobState State { get; init; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset? AdmittedAt { get; init; }

    /// <summary>When every pod was bound and the executor started it.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>What the decision loop wrote when it admitted the job (flavor and the planned place of every pod).</summary>
    public AdmissionMemo? Memo { get; init; }

    /// <summary>Pods bound now (running jobs); a final job keeps the last ones for display, holding nothing.</summary>
    public IReadOnlyList<PodBinding> Bindings { get; init; } = [];

    public int Requeues { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>Why it ended or was last requeued (null: nothing to say).</summary>
    public string? Message { get; init; }

    /// <summary>True when its bindings hold GPUs: it runs.</summary>
    public bool HoldsGpus => State == JobState.Running;

    /// <summary>GPUs asked for over all pods; a share counts as its fraction (two pods of half a GPU: 1).</summary>
    public double GpusRequested => Workload.PodSets.Sum(s => s.Count * s.Template.GpuCount * (s.Template.GpuMilli / (double)Berth.Model.Limits.GpuMilliPerGpu));

    /// <summary>GPUs its bindings hold now (a share counts as its fraction): what yield and the timeline weigh by activity.</summary>
    public double GpusHeld => Bindings.Sum(b => System.Numerics.BitOperations.PopCount((uint)b.GpuMask) * b.GpuMilli / (double)Berth.Model.Limits.GpuMilliPerGpu);
}
