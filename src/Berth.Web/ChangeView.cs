namespace Berth.Web;

/// <summary>One committed change in the event stream: the job's id, queue and state after it, and the event.</summary>
public sealed record ChangeView(string Job, string Queue, JobState State, DateTimeOffset At, string Kind, string Message);
