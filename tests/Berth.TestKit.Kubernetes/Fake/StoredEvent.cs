namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// One entry of the watch history, kept as immutable JSON text so watch streams on other threads can read it freely.
/// <paramref name="PreviousJson"/> is the object before a MODIFIED, which a filtered watch needs to turn a change into
/// ADDED or DELETED when the object starts or stops matching its selectors. A BOOKMARK has no key.
/// </summary>
internal sealed record StoredEvent(string Type, ObjectKey? Key, long ResourceVersion, string ObjectJson, string? PreviousJson)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
}
