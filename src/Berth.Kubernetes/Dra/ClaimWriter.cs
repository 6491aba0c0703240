using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// Writes a pod's claims before Berth binds it, as kube-scheduler's DRA plugin and the kube-controller-manager's
/// claim controller do: a claim from a template is created (<c>{pod}-{claim}-xxxxx</c>, owned by the pod, annotated
/// <c>resource.kubernetes.io/pod-claim-name</c>) and named in the pod's <c>status.resourceClaimStatuses</c>; then the
/// claim's <c>status.allocation</c> and <c>status.reservedFor</c> are written with its resource version (a conflict
/// reads it again). A claim allocated meanwhile to other devices, or devices another claim now holds
/// (<see cref="HeldDevicesAsync"/>, read fresh once per plan because the cache may lag), stop the binding: it is
/// planned again on the next decision, so no device is ever in two allocations.
/// </summary>
public sealed class ClaimWriter(IKubernetes client, ILogger logger)
{
    private const int ConflictRetries = 5;

    /// <summary>The devices every claim's allocation holds now, by <c>driver/pool/device</c>, with the claim (<c>namespace/name</c>) that holds it.</summary>
    public async Task<IReadOnlyDictionary<string, string>> HeldDevicesAsync(CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var list = await client.ResourceV1.ListResourceClaimForAllNamespacesAsync(continueParameter: token, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var claim in list.Items)
            {
                foreach (var result in claim.Status?.Allocation?.Devices?.Results ?? [])
                {
                    held.TryAdd(DraDevice.IdOf(result?.Driver, result?.Pool, result?.Device), claim.Metadata.NamespaceProperty + "/" + claim.Metadata.Name);
                }
            }

            token = list.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));
        return held;
    }

    /// <summary>Writes every claim of the pod; false when one cannot be written as planned (then the pod must not be bound).</summary>
    public async Task<bool> WriteAsync(string ns, string podName, IReadOnlyList<ClaimWrite> claims, IReadOnlyDictionary<string, string> held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(held);
        foreach (var write in claims)
        {
            var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = podName, NamespaceProperty = ns, Uid = write.PodUid } };
            var name = write.ClaimName ?? await EnsureClaimAsync(pod, write, cancellationToken).ConfigureAwait(false);
            if (write.Devices?.FirstOrDefault(d => held.TryGetValue(d.Id, out var holder) && holder != ns + "/" + name) is { } taken)
            {
                logger.LogInformation("device {Device} planned for claim {Namespace}/{Claim} of pod {Pod} is held by {Holder}; the pod waits for the next decision", taken.Id, ns, name, podName, held[taken.Id]);
                return false;
            }

            if (!await AllocateAsync(ns, name, pod, write, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<string> EnsureClaimAsync(V1Pod pod, ClaimWrite write, CancellationToken cancellationToken)
    {
        // The planner names the claim when the pod's status or the cache shows it; a claim made by an earlier try that the
        // cache does not show yet (or whose pod status write was lost) is found by its owner and annotation: never made twice.
        var ns = pod.Metadata.NamespaceProperty;
        var existing = await client.ResourceV1.ListNamespacedResourceClaimAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        var name = existing.Items.FirstOrDefault(c =>
            c.Metadata?.OwnerReferences?.Any(o => o?.Uid == pod.Metadata.Uid && o.Controller == true) == true
            && c.Metadata.Annotations?.TryGetValue(DraIndex.PodClaimNameAnnotation, out var entry) == true && entry == write.PodClaimName)?.Metadata.Name;
        if (name is null)
        {
            var template = write.Template ?? throw new InvalidOperationException($"claim {write.PodClaimName} of pod {ns}/{pod.Metadata.Name} has neither a name nor a template");
            var prefix = $"{pod.Metadata.Name}-{write.PodClaimName}";
            var claim = new Resourcev1ResourceClaim
            {
                ApiVersion = "resource.k8s.io/v1",
                Kind = "ResourceClaim",
                Metadata = new V1ObjectMeta
                {
                    GenerateName = (prefix.Length > 57 ? prefix[..57] : prefix) + "-",
                    NamespaceProperty = ns,
                    Labels = template.Spec?.Metadata?.Labels,
                    Annotations = new Dictionary<string, string>(template.Spec?.Metadata?.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
                    {
                        [DraIndex.PodClaimNameAnnotation] = write.PodClaimName,
                    },
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
                },
                Spec = template.Spec?.Spec,
            };
            name = (await client.ResourceV1.CreateNamespacedResourceClaimAsync(claim, ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Metadata.Name;
        }

        var patch = new { status = new { resourceClaimStatuses = new[] { new { name = write.PodClaimName, resourceClaimName = name } } } };
        await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.StrategicMergePatch), pod.Metadata.Name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        return name;
    }

    private async Task<bool> AllocateAsync(string ns, string name, V1Pod pod, ClaimWrite write, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < ConflictRetries; attempt++)
        {
            var claim = await client.ResourceV1.ReadNamespacedResourceClaimAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            claim.Status ??= new V1ResourceClaimStatus();
            var changed = false;
            if (claim.Status.Allocation is null)
            {
                if (write.Devices is null)
                {
                    logger.LogInformation("claim {Namespace}/{Claim} of pod {Pod} is no longer allocated; the pod waits for the next decision", ns, name, pod.Metadata.Name);
                    return false;
                }

                claim.Status.Allocation = DeviceAllocator.Allocation(write.Devices, write.Node);
                changed = true;
            }
            else if (!SameAllocation(claim.Status.Allocation, write))
            {
                logger.LogInformation("claim {Namespace}/{Claim} of pod {Pod} was allocated otherwise meanwhile; the pod waits for the next decision", ns, name, pod.Metadata.Name);
                return false;
            }

            claim.Status.ReservedFor ??= [];
            if (!claim.Status.ReservedFor.Any(r => r?.Uid == pod.Metadata.Uid))
            {
                claim.Status.ReservedFor.Add(new V1ResourceClaimConsumerReference { Resource = "pods", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid });
                changed = true;
            }

            if (!changed)
            {
                return true;
            }

            try
            {
                await client.ResourceV1.ReplaceNamespacedResourceClaimStatusAsync(claim, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                logger.LogDebug("claim {Namespace}/{Claim}: conflict, reading it again", ns, name);
            }
        }

        return false;
    }

    // An existing allocation is what the plan meant when it names the same devices (or the plan only reserves) on the same node.
    private static bool SameAllocation(V1AllocationResult allocation, ClaimWrite write)
    {
        var node = NodeSelectors.PinnedNode(allocation.NodeSelector);
        if (node is not null && node != write.Node)
        {
            return false;
        }

        if (write.Devices is null)
        {
            return true;
        }

        var have = (allocation.Devices?.Results ?? []).Select(r => DraDevice.IdOf(r?.Driver, r?.Pool, r?.Device)).Order(StringComparer.Ordinal);
        return have.SequenceEqual(write.Devices.Select(d => d.Id).Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }
}
