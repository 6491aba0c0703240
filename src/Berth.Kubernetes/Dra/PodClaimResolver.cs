using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// Resolves a pod's <c>spec.resourceClaims</c> as kube-scheduler does: a <c>resourceClaimName</c> names a claim in the
/// pod's namespace; a <c>resourceClaimTemplateName</c> names a template, whose claim for this pod is found through
/// <c>status.resourceClaimStatuses</c>, or by its owner (the pod) and its <c>resource.kubernetes.io/pod-claim-name</c>
/// annotation, or is still to be made from the template (Berth makes it when it binds the pod).
/// </summary>
internal static class PodClaimResolver
{
    public static PodClaims Resolve(V1Pod pod, DraIndex index)
    {
        var ns = pod.Metadata?.NamespaceProperty ?? string.Empty;
        var uid = pod.Metadata?.Uid ?? string.Empty;
        var entries = pod.Spec?.ResourceClaims ?? [];
        var claims = new List<PodClaim>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var field = $"spec.resourceClaims[{i}]";
            if (entry?.Name is not { Length: > 0 } name)
            {
                return PodClaims.Invalid($"{field}.name is empty; name each claim of the pod");
            }

            var byName = !string.IsNullOrEmpty(entry.ResourceClaimName);
            var byTemplate = !string.IsNullOrEmpty(entry.ResourceClaimTemplateName);
            if (byName == byTemplate)
            {
                return PodClaims.Invalid($"{field} ({name}) must set exactly one of resourceClaimName and resourceClaimTemplateName");
            }

            if (byName)
            {
                var claim = index.Claim(ns, entry.ResourceClaimName!);
                if (claim is null)
                {
                    return PodClaims.Waiting($"ResourceClaim {ns}/{entry.ResourceClaimName} ({field}) does not exist yet; create it");
                }

                claims.Add(new PodClaim(name, claim, null, claim.Spec ?? new V1ResourceClaimSpec(), $"ResourceClaim {ns}/{entry.ResourceClaimName}", "spec"));
                continue;
            }

            var status = pod.Status?.ResourceClaimStatuses?.FirstOrDefault(s => s?.Name == name);
            if (status is not null && string.IsNullOrEmpty(status.ResourceClaimName))
            {
                continue; // the controller decided that this pod needs no claim for the entry
            }

            var generated = status is not null ? index.Claim(ns, status.ResourceClaimName) : index.Generated(uid, name);
            if (generated is not null)
            {
                claims.Add(new PodClaim(name, generated, null, generated.Spec ?? new V1ResourceClaimSpec(), $"ResourceClaim {ns}/{generated.Metadata?.Name}", "spec"));
                continue;
            }

            var template = index.Template(ns, entry.ResourceClaimTemplateName!);
            if (template is null)
            {
                return PodClaims.Waiting($"ResourceClaimTemplate {ns}/{entry.ResourceClaimTemplateName} ({field}) does not exist yet; create it");
            }

            claims.Add(new PodClaim(name, null, template, template.Spec?.Spec ?? new V1ResourceClaimSpec(), $"ResourceClaimTemplate {ns}/{entry.ResourceClaimTemplateName}", "spec.spec"));
        }

        return new PodClaims(claims, null, null);
    }
}
