using System.Text.Json.Nodes;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Frameworks;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Translation;
using k8s;

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

    [Fact]
    public void FromJob_DatasetsAnnotation_GivesTheWorkloadItsDatasetsAndWait()
    {
        var job = Objects.Job("j", 1, 8, "team-a");
        job.Metadata.Annotations = new Dictionary<string, string> { [DatasetAnnotations.DatasetsAnnotation] = "imagenet=150G", [DatasetAnnotations.LocalityWaitAnnotation] = "5m" };

        var result = WorkloadTranslator.FromJob(job, "team-a", DateTimeOffset.UnixEpoch);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(("imagenet", 150.0), (result.Workload!.Datasets[0].Name, result.Workload.Datasets[0].SizeGb));
        Assert.Equal(TimeSpan.FromMinutes(5), result.Workload.LocalityWait);
    }

    [Fact]
    public void FromObject_JobSetWithADatasetWithoutSize_IsInvalidNamingTheAnnotation()
    {
        var json = FrameworkSamples.Build("JobSet", "js", "team-a", workers: 1, gpus: 4);
        json["metadata"]!["annotations"] = new JsonObject { [DatasetAnnotations.DatasetsAnnotation] = "imagenet" };
        var obj = KubernetesJson.Deserialize<FrameworkObject>(json.ToJsonString());

        var result = FrameworkTranslator.FromObject(obj, FrameworkRegistry.Find(obj.ApiVersion, obj.Kind)!, "team-a", DateTimeOffset.UnixEpoch);

        Assert.Equal(ConditionReasons.InvalidSpec, result.Reason);
        Assert.Contains("annotation berth.dev/datasets names dataset 'imagenet' with no size", result.Message, StringComparison.Ordinal);
    }
}
