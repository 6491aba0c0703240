using Berth.Engine.Admission;
using Berth.Model.Queueing;

namespace Berth.Engine.Tests.Admission;

/// <summary>A reason whose words are written when first read is the same value as one written at once.</summary>
public sealed class PendingReasonWordsTests
{
    [Fact]
    public void WordsWrittenLater_EqualWordsWrittenAtOnce_AndAreWrittenOnce()
    {
        var calls = 0;
        var later = new PendingReason(PendingReasonCode.QuotaExceeded, () =>
        {
            calls++;
            return new PendingReason.Words("queue a has 1 GPU of quota left", "1 GPU of quota frees");
        })
        { Flavor = "a100", Resource = ResourceKind.Gpu, Requested = 2000, Available = 1000 };
        var atOnce = new PendingReason(PendingReasonCode.QuotaExceeded, "queue a has 1 GPU of quota left")
        { Flavor = "a100", Resource = ResourceKind.Gpu, Requested = 2000, Available = 1000, Unblock = "1 GPU of quota frees" };

        Assert.Equal(0, calls);
        Assert.Equal(atOnce, later);
        Assert.Equal(atOnce.GetHashCode(), later.GetHashCode());
        Assert.Equal(atOnce.ToString(), later.ToString());
        Assert.Equal(1, calls);
        Assert.NotEqual(atOnce with { Unblock = "something else" }, later);
        Assert.NotEqual(atOnce, later with { Available = 500 });
        Assert.Equal("queue a waits", (later with { Message = "queue a waits" }).Message);
        Assert.Equal("1 GPU of quota frees", (later with { Message = "queue a waits" }).Unblock);
        Assert.Equal(1, calls);
    }
}
