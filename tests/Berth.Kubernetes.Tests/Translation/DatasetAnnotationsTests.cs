using Berth.Kubernetes.Translation;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class DatasetAnnotationsTests
{
    private static string? Read(string? datasets, string? wait, out Berth.Model.Queueing.DatasetRef[] refs, out TimeSpan? localityWait)
    {
        var annotations = new Dictionary<string, string>();
        if (datasets is not null)
        {
            annotations[DatasetAnnotations.DatasetsAnnotation] = datasets;
        }

        if (wait is not null)
        {
            annotations[DatasetAnnotations.LocalityWaitAnnotation] = wait;
        }

        return DatasetAnnotations.Read(annotations, "job/ns/j", out refs, out localityWait);
    }

    [Fact]
    public void Read_TwoDatasetsAndAWait_GivesSizesInGb()
    {
        Assert.Null(Read("imagenet=150G, coco=2Ti", "10m", out var refs, out var wait));
        Assert.Equal([("imagenet", 150.0), ("coco", 2.199023255552 * 1000)], refs.Select(r => (r.Name, r.SizeGb)));
        Assert.Equal(TimeSpan.FromMinutes(10), wait);
    }

    [Theory]
    [InlineData("imagenet", null, "names dataset 'imagenet' with no size")]
    [InlineData("imagenet=", null, "names dataset 'imagenet' with no size")]
    [InlineData("imagenet=150", null, "write a positive quantity with a unit")]
    [InlineData("imagenet=-1Gi", null, "write a positive quantity with a unit")]
    [InlineData("imagenet=lots", null, "write a positive quantity with a unit")]
    [InlineData("imagenet=1Gi", "soon", "annotation berth.dev/locality-wait is 'soon'")]
    [InlineData(null, "5m", "berth.dev/datasets is not")]
    public void Read_BadAnnotation_NamesTheAnnotationAndTheFix(string? datasets, string? wait, string mentions)
    {
        var problem = Read(datasets, wait, out _, out _);
        Assert.NotNull(problem);
        Assert.Contains(mentions, problem, StringComparison.Ordinal);
        Assert.StartsWith("job/ns/j: annotation berth.dev/", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void CachedBy_OnlyTrueDatasetLabels_InNameOrder()
    {
        var labels = new Dictionary<string, string>
        {
            ["dataset.berth.dev/coco"] = "true",
            ["dataset.berth.dev/imagenet"] = "True",
            ["dataset.berth.dev/old"] = "false",
            ["pool"] = "a100",
        };
        Assert.Equal(["coco", "imagenet"], DatasetAnnotations.CachedBy(labels));
    }
}
