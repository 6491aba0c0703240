namespace Berth.Server.Jobs;

/// <summary>Names of <see cref="JobState"/> as the API writes and reads them, and which states are final.</summary>
public static class JobStates
{
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>The state named <paramref name="text"/> (any case); false for anything else.</summary>
    public static bool TryParse(string text, out JobState state) => Enum.TryParse(text, ignoreCase: true, out state) && Enum.IsDefined(state);
}
