namespace Berth.Server.Access;

/// <summary>
/// Who made a request, from its bearer token: a name, a role and, for a submitter, its queues. A submitter sees and
/// changes only its queues' jobs; a viewer sees everything and changes nothing; an admin does everything.
/// </summary>
public sealed record Caller(string Name, Role Role, IReadOnlySet<string> Queues)
{
    public bool CanSee(string queue) => Role != Role.Submitter || Queues.Contains(queue);

    public bool CanChange(string queue) => Role == Role.Admin || (Role == Role.Submitter && Queues.Contains(queue));
}
