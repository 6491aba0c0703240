using System.Reflection;
using System.Text.Json.Serialization;
using Berth.Kubernetes.Api;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Api;

public sealed class ApiObjectTests
{
    private static readonly Type[] TopLevel = [typeof(Queue), typeof(Cohort), typeof(Flavor), typeof(PodGroup)];

    [Fact]
    public void KubernetesJson_QueueRoundTrip_KeepsEveryField()
    {
        var queue = new Queue
        {
            Metadata = new V1ObjectMeta { Name = "team-a", Generation = 2 },
            Spec = new QueueSpec
            {
                Cohort = "org",
                Flavors = [new FlavorQuotaSpec { Name = "a100", Resources = new FlavorResourcesSpec { Gpu = new ResourceQuotaSpec { NominalQuota = "8", BorrowingLimit = "4", LendingLimit = "500m" }, Memory = new ResourceQuotaSpec { NominalQuota = "256Gi" } } }],
                Weight = 2.5,
                Priority = -1,
                QueueingStrategy = "StrictFIFO",
                StopPolicy = "Hold",
                Preemption = new QueuePreemptionSpec { WithinQueue = "LowerPriority", ReclaimWithinCohort = "Any", FairShare = true },
                FlavorFungibility = new FlavorFungibilitySpec { BorrowBeforeNextFlavor = true },
                MinRuntime = "10m",
                DisruptionBudget = 2,
                DisruptionWindow = "1h",
                AdmissionChecks = ["provisioning"],
            },
            Status = new QueueStatus { PendingWorkloads = 3, AdmittedWorkloads = 1, Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "Valid", Message = "ok" }] },
        };

        var json = KubernetesJson.Serialize(queue);
        var back = KubernetesJson.Deserialize<Queue>(json);

        Assert.Contains("\"apiVersion\":\"berth.dev/v1alpha1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"Queue\"", json, StringComparison.Ordinal);
        Assert.Contains("\"nominalQuota\":\"8\"", json, StringComparison.Ordinal);
        Assert.Contains("\"reclaimWithinCohort\":\"Any\"", json, StringComparison.Ordinal);
        Assert.Equal(json, KubernetesJson.Serialize(back));
        Assert.Equal("500m", back.Spec.Flavors![0].Resources!.Gpu!.LendingLimit);
        Assert.Equal(2.5, back.Spec.Weight);
        Assert.Equal("Valid", back.Status.Conditions![0].Reason);
    }

    [Fact]
    public void KubernetesJson_NumericQuantity_ReadsAsItsText()
    {
        const string json = """{"apiVersion":"berth.dev/v1alpha1","kind":"Queue","metadata":{"name":"q"},"spec":{"flavors":[{"name":"a100","resources":{"gpu":{"nominalQuota":8,"borrowingLimit":0.5},"cpu":{"nominalQuota":"500m"}}}]}}""";

        var queue = KubernetesJson.Deserialize<Queue>(json);

        var resources = queue.Spec.Flavors![0].Resources!;
        Assert.Equal("8", resources.Gpu!.NominalQuota);
        Assert.Equal("0.5", resources.Gpu.BorrowingLimit);
        Assert.Equal("500m", resources.Cpu!.NominalQuota);
    }

    [Fact]
    public void KubernetesJson_BadQuantityText_StillDeserialises()
    {
        const string json = """{"spec":{"flavors":[{"name":"a100","resources":{"gpu":{"nominalQuota":"eight"}}}]}}""";

        var queue = KubernetesJson.Deserialize<Queue>(json);

        Assert.Equal("eight", queue.Spec.Flavors![0].Resources!.Gpu!.NominalQuota);
    }

    [Fact]
    public void KubernetesJson_PodGroupList_ReadsItems()
    {
        const string json = """{"apiVersion":"berth.dev/v1alpha1","kind":"PodGroupList","metadata":{"resourceVersion":"42"},"items":[{"metadata":{"name":"g","namespace":"ml"},"spec":{"minMember":8,"topology":{"key":"rack","mode":"Required"}},"status":{"phase":"Pending","queuePosition":3,"expectedStart":"2025-01-01T10:00:00Z","pendingReason":{"code":"QuotaExceeded","flavor":"a100"}}}]}""";

        var list = KubernetesJson.Deserialize<PodGroupList>(json);

        var group = Assert.Single(list.Items);
        Assert.Equal("42", list.Metadata.ResourceVersion);
        Assert.Equal(8, group.Spec.MinMember);
        Assert.Equal("rack", group.Spec.Topology!.Key);
        Assert.Equal(3, group.Status.QueuePosition);
        Assert.Equal(new DateTime(2025, 1, 1, 10, 0, 0, DateTimeKind.Utc), group.Status.ExpectedStart!.Value.ToUniversalTime());
        Assert.Equal("QuotaExceeded", group.Status.PendingReason!.Code);
    }

    [Fact]
    public void KubernetesYaml_LoadAllWithBerthTypes_GivesTypedObjects()
    {
        const string yaml = """
            apiVersion: berth.dev/v1alpha1
            kind: Flavor
            metadata:
              name: a100
            spec:
              nodeLabels: {pool: a100}
              tolerations:
                - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
            ---
            apiVersion: berth.dev/v1alpha1
            kind: Queue
            metadata:
              name: q
            spec:
              flavors:
                - name: a100
                  resources:
                    gpu: {nominalQuota: 8}
            """;

        var objects = KubernetesYaml.LoadAllFromString(yaml, CustomResourceDefinitions.Types.ToDictionary(), strict: true);

        var flavor = Assert.IsType<Flavor>(objects[0]);
        var queue = Assert.IsType<Queue>(objects[1]);
        Assert.Equal("a100", flavor.Spec.NodeLabels!["pool"]);
        Assert.Equal("Exists", flavor.Spec.Tolerations![0].OperatorProperty);
        Assert.Equal("8", queue.Spec.Flavors![0].Resources!.Gpu!.NominalQuota);
    }

    [Fact]
    public void ApiTypes_JsonNames_AreTheCamelCasePropertyNames()
    {
        // KubernetesYaml maps YAML keys to camelCase property names and ignores [JsonPropertyName], so the two must agree.
        var types = typeof(Queue).Assembly.GetTypes().Where(t => t.Namespace == "Berth.Kubernetes.Api" && t.IsPublic && !t.IsAbstract).ToArray();
        var mismatches = types.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Where(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is { } a && a.Name != char.ToLowerInvariant(p.Name[0]) + p.Name[1..])
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}")
            .ToArray();

        Assert.True(types.Length > 20, "the Api namespace was not found");
        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData(typeof(Queue), "queues", false)]
    [InlineData(typeof(Cohort), "cohorts", false)]
    [InlineData(typeof(Flavor), "flavors", false)]
    [InlineData(typeof(PodGroup), "podgroups", true)]
    public void KubernetesEntity_OfEachKind_MatchesCustomResourceDefinitions(Type type, string plural, bool namespaced)
    {
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>()!;
        var info = CustomResourceDefinitions.All.Single(i => i.Kind == type.Name);
        var instance = (IKubernetesObject)Activator.CreateInstance(type)!;

        Assert.Equal(plural, entity.PluralName);
        Assert.Equal(plural, info.Plural);
        Assert.Equal(namespaced, info.Namespaced);
        Assert.Equal(KubernetesNames.Group, entity.Group);
        Assert.Equal(KubernetesNames.Version, entity.ApiVersion);
        Assert.Equal(info.ApiVersion, instance.ApiVersion);
        Assert.Equal(info.Kind, instance.Kind);
        Assert.Equal(plural + ".berth.dev", info.CrdName);
    }

    [Fact]
    public void CustomResourceDefinitions_Types_CoverEveryKindAndList()
    {
        var keys = CustomResourceDefinitions.Types.Keys.Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(TopLevel.Length * 2, keys.Length);
        foreach (var info in CustomResourceDefinitions.All)
        {
            Assert.Contains(info.ApiVersion + "/" + info.Kind, keys);
            Assert.Contains(info.ApiVersion + "/" + info.ListKind, keys);
        }
    }
}
