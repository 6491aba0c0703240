namespace Berth.Server.Jobs;

/// <summary>A submitted job the server refuses: <see cref="Field"/> (a JSON path such as <c>podSets[0].gpus</c>) and a message saying how to fix it.</summary>
public sealed class JobSpecException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
