namespace Berth.Model.Queueing;

/// <summary>
/// A queue's (or cohort's) quota of one resource in one flavor, in the resource's unit.
/// <see cref="Nominal"/> is guaranteed; <see cref="BorrowingLimit"/> caps what may be taken from the cohort
/// beyond it (null: no cap); <see cref="LendingLimit"/> caps how much of the unused nominal quota others may
/// take (null: all of it).
/// </summary>
public sealed record ResourceQuota(long Nominal, long? BorrowingLimit = null, long? LendingLimit = null)
{
    public void Validate(string owner)
    {
        if (Nominal < 0)
        {
            throw new ArgumentException($"{owner}: nominal is {Nominal}; a quota must be 0 or more", nameof(Nominal));
        }

        if (BorrowingLimit is < 0)
        {
            throw new ArgumentException($"{owner}: borrowingLimit is {BorrowingLimit}; it must be 0 or more (leave it out for no limit)", nameof(BorrowingLimit));
        }

        if (LendingLimit is < 0)
        {
            throw new ArgumentException($"{owner}: lendingLimit is {LendingLimit}; it must be 0 or more (leave it out to lend all unused quota)", nameof(LendingLimit));
        }

        if (LendingLimit is { } lend && lend > Nominal)
        {
            throw new ArgumentException($"{owner}: lendingLimit {lend} is above nominal {Nominal}; a queue can lend at most its nominal quota", nameof(LendingLimit));
        }
    }
}
