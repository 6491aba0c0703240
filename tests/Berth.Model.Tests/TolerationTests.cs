using Berth.Model;

namespace Berth.Model.Tests;

public sealed class TolerationTests
{
    /// <summary>A toleration, a taint, and whether the first tolerates the second.</summary>
    public sealed record Case(string Name, Toleration Toleration, Taint Taint, bool Expected)
    {
        public override string ToString() => Name;
    }

    private static readonly Taint GpuNoSchedule = new("gpu", "a100", TaintEffect.NoSchedule);

    public static TheoryData<Case> Cases => new()
    {
        new("Equal with the same key, value and effect tolerates", new("gpu", TolerationOperator.Equal, "a100", TaintEffect.NoSchedule), GpuNoSchedule, true),
        new("Equal with another value does not tolerate", new("gpu", TolerationOperator.Equal, "v100", TaintEffect.NoSchedule), GpuNoSchedule, false),
        new("Equal with another key does not tolerate", new("cpu", TolerationOperator.Equal, "a100", TaintEffect.NoSchedule), GpuNoSchedule, false),
        new("Equal compares values case-sensitively", new("gpu", TolerationOperator.Equal, "A100", TaintEffect.NoSchedule), GpuNoSchedule, false),
        new("Equal compares keys case-sensitively", new("GPU", TolerationOperator.Equal, "a100", TaintEffect.NoSchedule), GpuNoSchedule, false),
        new("Equal with a null value matches a taint with a null value", new("gpu", TolerationOperator.Equal, null, null), new Taint("gpu", null, TaintEffect.NoSchedule), true),
        new("Equal with a null value matches a taint with an empty value", new("gpu", TolerationOperator.Equal, null, null), new Taint("gpu", string.Empty, TaintEffect.NoSchedule), true),
        new("Equal with a null value does not match a taint with a value", new("gpu", TolerationOperator.Equal, null, null), GpuNoSchedule, false),
        new("Exists with the same key ignores the value", new("gpu", TolerationOperator.Exists, "anything", null), GpuNoSchedule, true),
        new("Exists with another key does not tolerate", new("cpu", TolerationOperator.Exists, null, null), GpuNoSchedule, false),
        new("Exists with a null key tolerates every taint", new(null, TolerationOperator.Exists, null, null), new Taint("whatever", "x", TaintEffect.NoExecute), true),
        new("Equal with a null key tolerates nothing", new(null, TolerationOperator.Equal, null, null), new Taint("whatever", null, TaintEffect.NoSchedule), false),
        new("A null effect matches NoExecute", new("gpu", TolerationOperator.Exists, null, null), new Taint("gpu", null, TaintEffect.NoExecute), true),
        new("A null effect matches PreferNoSchedule", new("gpu", TolerationOperator.Exists, null, null), new Taint("gpu", null, TaintEffect.PreferNoSchedule), true),
        new("A different effect does not tolerate", new("gpu", TolerationOperator.Equal, "a100", TaintEffect.NoExecute), GpuNoSchedule, false),
        new("A null key with a set effect only tolerates that effect", new(null, TolerationOperator.Exists, null, TaintEffect.NoExecute), GpuNoSchedule, false),
        new("A null key with the matching effect tolerates", new(null, TolerationOperator.Exists, null, TaintEffect.NoSchedule), GpuNoSchedule, true),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tolerates_Case_GivesExpected(Case c)
    {
        Assert.Equal(c.Expected, c.Toleration.Tolerates(c.Taint));
    }

    [Fact]
    public void Tolerates_NullTaint_Throws()
    {
        var toleration = new Toleration("gpu", TolerationOperator.Exists, null, null);

        Assert.Throws<ArgumentNullException>(() => toleration.Tolerates(null!));
    }
}
