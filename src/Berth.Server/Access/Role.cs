namespace Berth.Server.Access;

/// <summary>What a token may do: everything; see all and change the jobs of its queues; or only see.</summary>
public enum Role
{
    Admin,
    Submitter,
    Viewer,
}
