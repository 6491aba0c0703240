using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Model.Tests.Queueing;

/// <summary>Datasets on workloads and nodes: a bad reference is refused naming the field and the fix.</summary>
public sealed class DatasetValidationTests
{
    /// <summary>An invalid workload and the field (parameter name) and words its error must carry.</summary>
    public sealed record BadWorkload(string Name, Workload Workload, string Field, string Mentions)
    {
        public override string ToString() => Name;
    }

    private static readonly Workload Good = Make.Workload("w").In("q").Pods(1).Build() with { Datasets = [new DatasetRef("imagenet", 150)] };

    public static TheoryData<BadWorkload> BadWorkloads => new()
    {
        new("A dataset without a size is rejected", Good with { Datasets = [new DatasetRef("imagenet", 0)] }, nameof(Workload.Datasets), "dataset imagenet has no size (sizeGb is 0); give its size in GB"),
        new("A dataset with a negative size is rejected", Good with { Datasets = [new DatasetRef("imagenet", -3)] }, nameof(Workload.Datasets), "has no size"),
        new("A dataset with a size that is not a number is rejected", Good with { Datasets = [new DatasetRef("imagenet", double.NaN)] }, nameof(Workload.Datasets), "has no size"),
        new("A dataset without a name is rejected", Good with { Datasets = [new DatasetRef(" ", 10)] }, nameof(Workload.Datasets), "has no name"),
        new("A dataset named twice is rejected", Good with { Datasets = [new DatasetRef("a", 1), new DatasetRef("a", 2)] }, nameof(Workload.Datasets), "named twice"),
        new("A negative locality wait is rejected", Good with { LocalityWait = TimeSpan.FromSeconds(-1) }, nameof(Workload.LocalityWait), "localityWait is negative"),
        new("A locality wait without datasets is rejected", Good with { Datasets = [], LocalityWait = TimeSpan.FromMinutes(5) }, nameof(Workload.LocalityWait), "names no datasets"),
    };

    [Theory]
    [MemberData(nameof(BadWorkloads))]
    public void WorkloadValidate_BadDatasets_ThrowsNamingFieldAndFix(BadWorkload bad)
    {
        var e = Assert.Throws<ArgumentException>(bad.Workload.Validate);
        Assert.Equal(bad.Field, e.ParamName);
        Assert.Contains(bad.Mentions, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkloadValidate_DatasetsWithSizesAndAWait_IsAccepted()
    {
        (Good with { LocalityWait = TimeSpan.FromMinutes(10) }).Validate();
    }

    [Fact]
    public void NodeValidate_EmptyCachedDatasetName_ThrowsNamingField()
    {
        var node = Make.Node("n").Gpus(4).Build() with { CachedDatasets = ["imagenet", ""] };
        var e = Assert.Throws<ArgumentException>(node.Validate);
        Assert.Equal(nameof(Node.CachedDatasets), e.ParamName);
    }
}
