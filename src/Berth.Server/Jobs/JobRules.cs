namespace Berth.Server.Jobs;

/// <summary>
/// What a job must declare for the executor that runs it: on simulated nodes a <c>duration</c> (how long it
/// "runs"); on this machine's local executor a <c>command</c> (a duration is then a time limit).
/// </summary>
public sealed record JobRules(bool DurationRequired, bool CommandRequired)
{
    public static readonly JobRules Simulated = new(DurationRequired: true, CommandRequired: false);

    public static readonly JobRules Local = new(DurationRequired: false, CommandRequired: true);
}
