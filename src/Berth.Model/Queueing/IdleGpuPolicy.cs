using System.Globalization;

namespace Berth.Model.Queueing;

/// <summary>
/// When a running workload of a queue counts as idle, and what the queue does then: a workload that has held its
/// GPUs for at least <see cref="After"/> with GPU activity at or below <see cref="Below"/> is idle (Run:ai's idle-GPU
/// timeouts work the same way). <see cref="Action"/> says what follows; with <see cref="IdleAction.Reclaim"/>, a
/// preemptible workload still idle <see cref="Grace"/> after it was found idle is stopped. Non-preemptible work is
/// never stopped or chosen first for being idle: it is only reported.
/// </summary>
public sealed record IdleGpuPolicy
{
    public TimeSpan After { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Highest GPU activity (0 to 1) that still counts as idle.</summary>
    public double Below { get; init; } = 0.05;

    public IdleAction Action { get; init; } = IdleAction.Notify;

    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field when a value is out of range.</summary>
    public void Validate(string queue)
    {
        if (After <= TimeSpan.Zero)
        {
            throw new ArgumentException($"queue {queue}: idleGpus.after is {After}; give how long a workload must hold its GPUs before it can count as idle, more than 0 (e.g. 30m)", nameof(After));
        }

        if (!(Below >= 0 && Below <= 1))
        {
            throw new ArgumentException($"queue {queue}: idleGpus.below is {Below.ToString(CultureInfo.InvariantCulture)}; give the highest GPU activity that counts as idle, from 0 to 1 (0.05 for 5%)", nameof(Below));
        }

        if (Grace < TimeSpan.Zero)
        {
            throw new ArgumentException($"queue {queue}: idleGpus.grace is negative; give a duration of 0 or more (e.g. 15m)", nameof(Grace));
        }
    }
}
