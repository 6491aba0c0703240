namespace Berth.Runtime.View;

/// <summary>Why a workload cannot be tried at all: a pending reason code and its message.</summary>
public sealed record ViewProblem(string Code, string Message);
