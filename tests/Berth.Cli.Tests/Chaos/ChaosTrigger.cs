namespace Berth.Cli.Tests.Chaos;

/// <summary>A kill armed for a moment: at the <see cref="Remaining"/>-th write of its kind, or (hand-over) at the first Lease write of a new holder.</summary>
internal sealed class ChaosTrigger(KillMoment moment, int writes, string? previousHolder)
{
    public KillMoment Moment { get; } = moment;

    /// <summary>Writes still to come before the kill; only the webhook hook counts it down, under the scenario's lock.</summary>
    public int Remaining { get; set; } = writes;

    /// <summary>For a hand-over: the killed leader, whose name on the Lease does not count as a new holder.</summary>
    public string? PreviousHolder { get; } = previousHolder;

    /// <summary>The replica killed (or, for a hand-over, the one that took the Lease).</summary>
    public TaskCompletionSource<ChaosReplica> Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
