namespace Berth.Engine.Framework;

/// <summary>
/// The value a plugin returns. "Does not fit" is an expected outcome, never an exception.
/// <see cref="Reason"/> is a short, stable, human-readable phrase ("Insufficient GPU").
/// </summary>
public readonly record struct Status(StatusCode Code, string? Reason = null)
{
    public static readonly Status Success = new(StatusCode.Success);

    public static readonly Status Skip = new(StatusCode.Skip);

    public bool IsSuccess => Code == StatusCode.Success;

    public static Status Unschedulable(string reason) => new(StatusCode.Unschedulable, reason);

    public static Status Unresolvable(string reason) => new(StatusCode.UnschedulableAndUnresolvable, reason);

    public override string ToString() => IsSuccess ? "Success" : $"{Code}: {Reason}";
}
