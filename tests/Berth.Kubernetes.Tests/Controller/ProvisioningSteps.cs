using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Provisioning;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// What the provisioning-check tests share: the check's queue and ConfigMap, reading the ProvisioningRequests the
/// controller writes, and playing the cluster autoscaler by writing their status conditions.
/// </summary>
internal static class ProvisioningSteps
{
    public const string Check = "gpu-capacity";
    public const string Class = "best-effort-atomic-scale-up.autoscaling.x-k8s.io";

    /// <summary>Queue team-a (16 GPUs of a100) with the provisioning check.</summary>
    public static Queue CheckedQueue()
    {
        var queue = Objects.Queue("team-a", "a100", "16");
        return queue with { Spec = queue.Spec with { AdmissionChecks = [Check] } };
    }

    /// <summary>The check's ConfigMap in berth-system, labelled for Berth's provisioning controller.</summary>
    public static void SeedConfig(ControllerHarness h, Dictionary<string, string> data) => h.Server.Seed(new V1ConfigMap
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = Check, NamespaceProperty = "berth-system", Labels = new Dictionary<string, string> { [ProvisioningConfig.CheckLabel] = ProvisioningConfig.ControllerName } },
        Data = data,
    });

    /// <summary>The names of the requests written for <paramref name="workload"/> (attempts 1 to 5).</summary>
    public static List<string> Requests(ControllerHarness h, string workload) =>
        Enumerable.Range(1, 5).Select(i => $"{workload}-{Check}-{i}")
            .Where(n => h.Server.GetObject(ProvisioningRequestState.Group, ProvisioningRequestState.Version, ProvisioningRequestState.Plural, n, Objects.Ns) is not null).ToList();

    public static JsonObject Request(ControllerHarness h, string name) =>
        h.Server.GetObject(ProvisioningRequestState.Group, ProvisioningRequestState.Version, ProvisioningRequestState.Plural, name, Objects.Ns)
        ?? throw new InvalidOperationException($"no ProvisioningRequest {name}");

    /// <summary>Plays the cluster autoscaler: writes the request's conditions through its status subresource.</summary>
    public static async Task SetConditionsAsync(ControllerHarness h, string request, params (string Type, string Status)[] conditions)
    {
        var body = new { status = new { conditions = conditions.Select(c => new { type = c.Type, status = c.Status, reason = c.Type + "Reason", message = $"the autoscaler says {c.Type}", lastTransitionTime = "2024-01-01T00:00:00Z" }).ToArray() } };
        await h.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(JsonSerializer.Serialize(body), V1Patch.PatchType.MergePatch), ProvisioningRequestState.Group, ProvisioningRequestState.Version, Objects.Ns, ProvisioningRequestState.Plural, request);
        await h.SettleAsync();
    }
}
