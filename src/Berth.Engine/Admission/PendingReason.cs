using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// The one current reason a workload waits: the rule that blocks it, in which flavor, the amounts
/// (requested vs available, in the resource's unit), and what would unblock it. The words may be given as a
/// function of values already taken (<see cref="PendingReason(PendingReasonCode, Func{Words})"/>): a head that waits
/// is tried again on every cycle and most of its reasons are never read, so they are written only when first read.
/// Equality is by value, words included.
/// </summary>
public sealed record PendingReason
{
    public static readonly PendingReason Queued = new(PendingReasonCode.Queued, "waiting for the next admission cycle");

    private Words? _words;
    private Func<Words>? _say;

    public PendingReason(PendingReasonCode code, string message)
    {
        Code = code;
        _words = new Words(message, string.Empty);
    }

    /// <summary>A reason whose message and unblock text <paramref name="say"/> writes when first read; it must read only values taken when it was made.</summary>
    public PendingReason(PendingReasonCode code, Func<Words> say)
    {
        Code = code;
        _say = say;
    }

    public PendingReasonCode Code { get; init; }

    public string Message
    {
        get => Said.Message;
        init => _words = Said with { Message = value };
    }

    public string? Flavor { get; init; }

    public ResourceKind? Resource { get; init; }

    public long? Requested { get; init; }

    public long? Available { get; init; }

    /// <summary>What would let it in (a person reads this).</summary>
    public string Unblock
    {
        get => Said.Unblock;
        init => _words = Said with { Unblock = value };
    }

    private Words Said
    {
        get
        {
            if (_words is { } words)
            {
                return words;
            }

            var said = _say!();
            _words = said; // one reference written: a reader on another thread sees the words or writes them again
            return said;
        }
    }

    public bool Equals(PendingReason? other) =>
        other is not null && Code == other.Code && Flavor == other.Flavor && Resource == other.Resource && Requested == other.Requested
        && Available == other.Available && Said == other.Said;

    public override int GetHashCode() => HashCode.Combine(Code, Flavor, Resource, Requested, Available, Said);

    public override string ToString() => string.IsNullOrEmpty(Unblock) ? $"{Code}: {Message}" : $"{Code}: {Message}; {Unblock}";

    /// <summary>What a person reads: the reason, and what would let the workload in.</summary>
    public sealed record Words(string Message, string Unblock);
}
