using Berth.Kubernetes.Api;
using YamlDotNet.RepresentationModel;

namespace Berth.Kubernetes.Tests.Api;

public sealed class CrdSchemaTests
{
    /// <summary>A custom resource, its C# spec and status types, and the CRD file that declares it.</summary>
    public sealed record Resource(string Name, CustomResourceInfo Info, Type Spec, Type Status, string File)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Resource> Resources => new()
    {
        new("Queue's CRD matches QueueSpec and QueueStatus", CustomResourceDefinitions.Queue, typeof(QueueSpec), typeof(QueueStatus), "deploy/crds/berth.dev_queues.yaml"),
        new("Cohort's CRD matches CohortSpec and CohortStatus", CustomResourceDefinitions.Cohort, typeof(CohortSpec), typeof(CohortStatus), "deploy/crds/berth.dev_cohorts.yaml"),
        new("Flavor's CRD matches FlavorSpec and FlavorStatus", CustomResourceDefinitions.Flavor, typeof(FlavorSpec), typeof(FlavorStatus), "deploy/crds/berth.dev_flavors.yaml"),
        new("PodGroup's CRD matches PodGroupSpec and PodGroupStatus", CustomResourceDefinitions.PodGroup, typeof(PodGroupSpec), typeof(PodGroupStatus), "deploy/crds/berth.dev_podgroups.yaml"),
    };

    [Theory]
    [MemberData(nameof(Resources))]
    public void CrdSchema_SpecAndStatus_DeclareExactlyTheSerialisedProperties(Resource resource)
    {
        var schema = Schema(resource.File);

        var problems = SchemaDrift.Compare(resource.Spec, SchemaDrift.At(schema, ["spec"])!, "spec")
            .Concat(SchemaDrift.Compare(resource.Status, SchemaDrift.At(schema, ["status"])!, "status"))
            .ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void CrdNames_MatchCustomResourceDefinitions(Resource resource)
    {
        var crd = Load(resource.File);
        var spec = SchemaDrift.Child(crd, "spec")!;
        var names = SchemaDrift.Child(spec, "names")!;
        var version = (YamlMappingNode)((YamlSequenceNode)spec.Children[new YamlScalarNode("versions")]).Children.Single();

        Assert.Equal(resource.Info.CrdName, SchemaDrift.Scalar(SchemaDrift.Child(crd, "metadata")!, "name"));
        Assert.Equal(resource.Info.Group, SchemaDrift.Scalar(spec, "group"));
        Assert.Equal(resource.Info.Namespaced ? "Namespaced" : "Cluster", SchemaDrift.Scalar(spec, "scope"));
        Assert.Equal(resource.Info.Kind, SchemaDrift.Scalar(names, "kind"));
        Assert.Equal(resource.Info.ListKind, SchemaDrift.Scalar(names, "listKind"));
        Assert.Equal(resource.Info.Plural, SchemaDrift.Scalar(names, "plural"));
        Assert.Equal(resource.Info.Version, SchemaDrift.Scalar(version, "name"));
        Assert.Equal("true", SchemaDrift.Scalar(version, "storage"));
        Assert.NotNull(SchemaDrift.Child(SchemaDrift.Child(version, "subresources")!, "status"));
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void PrinterColumns_PointAtDeclaredFields(Resource resource)
    {
        var crd = Load(resource.File);
        var version = (YamlMappingNode)((YamlSequenceNode)SchemaDrift.Child(crd, "spec")!.Children[new YamlScalarNode("versions")]).Children.Single();
        var columns = ((YamlSequenceNode)version.Children[new YamlScalarNode("additionalPrinterColumns")]).Children.Cast<YamlMappingNode>().ToArray();
        var schema = Schema(resource.File);

        Assert.NotEmpty(columns);
        foreach (var column in columns)
        {
            var jsonPath = SchemaDrift.Scalar(column, "jsonPath")!;
            var fields = System.Text.RegularExpressions.Regex.Replace(jsonPath, @"\[[^\]]*\]", string.Empty).Trim('.').Split('.');
            var found = fields[0] == "metadata" || SchemaDrift.At(schema, fields) is not null;
            Assert.True(found, $"printer column {SchemaDrift.Scalar(column, "name")} reads {jsonPath}, which the schema does not declare");
        }
    }

    [Fact]
    public void SchemaDrift_ASpecAgainstAnotherKindsSchema_ReportsTheDifferences()
    {
        var cohortSpecSchema = SchemaDrift.At(Schema("deploy/crds/berth.dev_cohorts.yaml"), ["spec"])!;

        var problems = SchemaDrift.Compare(typeof(QueueSpec), cohortSpecSchema, "spec");

        Assert.Contains(problems, p => p.StartsWith("spec.queueingStrategy:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("spec.parent:", StringComparison.Ordinal));
    }

    [Fact]
    public void QuotaSchema_NominalQuota_IsIntOrStringWithQuantityPatternAndMinimum()
    {
        var schema = Schema("deploy/crds/berth.dev_queues.yaml");

        var nominal = SchemaDrift.At(schema, ["spec", "flavors", "resources", "gpu", "nominalQuota"])!;

        Assert.Equal("true", SchemaDrift.Scalar(nominal, "x-kubernetes-int-or-string"));
        Assert.Equal("0", SchemaDrift.Scalar(nominal, "minimum"));
        var pattern = new System.Text.RegularExpressions.Regex(SchemaDrift.Scalar(nominal, "pattern")!);
        Assert.Matches(pattern, "500m");
        Assert.Matches(pattern, "256Gi");
        Assert.DoesNotMatch(pattern, "-2");
        Assert.DoesNotMatch(pattern, "eight");
    }

    [Fact]
    public void DurationSchema_Pattern_AcceptsWhatTheTranslatorReads()
    {
        var schema = Schema("deploy/crds/berth.dev_queues.yaml");
        var pattern = new System.Text.RegularExpressions.Regex(SchemaDrift.Scalar(SchemaDrift.At(schema, ["spec", "minRuntime"])!, "pattern")!);

        foreach (var text in new[] { "90s", "10m", "1h30m", "1.5h", "1d", "600" })
        {
            Assert.Matches(pattern, text);
            Assert.True(Berth.Model.DurationText.TryParse(text, out _), text);
        }

        Assert.DoesNotMatch(pattern, "10 minutes");
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Repository.Read(file)));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Schema(string file)
    {
        var crd = Load(file);
        var version = (YamlMappingNode)((YamlSequenceNode)SchemaDrift.Child(crd, "spec")!.Children[new YamlScalarNode("versions")]).Children.Single();
        return SchemaDrift.Child(SchemaDrift.Child(version, "schema")!, "openAPIV3Schema")!;
    }
}
