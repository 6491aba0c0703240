using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>The DRA objects of one snapshot looked up by name: claims, templates, classes, and the claims made for pods.</summary>
internal sealed class DraIndex
{
    /// <summary>The annotation the kube-controller-manager puts on a claim it makes from a pod's template: the pod's claim name.</summary>
    public const string PodClaimNameAnnotation = "resource.kubernetes.io/pod-claim-name";

    private readonly Dictionary<string, Resourcev1ResourceClaim> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1ResourceClaimTemplate> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1DeviceClass> _classes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string PodUid, string PodClaim), Resourcev1ResourceClaim> _generated = [];

    public DraIndex(DraObjects objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        foreach (var claim in objects.Claims)
        {
            var meta = claim.Metadata;
            if (meta?.Name is null)
            {
                continue;
            }

            _claims[meta.NamespaceProperty + "/" + meta.Name] = claim;
            if (meta.Annotations?.TryGetValue(PodClaimNameAnnotation, out var podClaim) == true)
            {
                foreach (var owner in meta.OwnerReferences ?? [])
                {
                    if (owner is { Kind: "Pod", Controller: true, Uid: { } uid })
                    {
                        _generated.TryAdd((uid, podClaim), claim);
                    }
                }
            }
        }

        foreach (var template in objects.Templates)
        {
            if (template.Metadata?.Name is { } name)
            {
                _templates[template.Metadata.NamespaceProperty + "/" + name] = template;
            }
        }

        foreach (var deviceClass in objects.Classes)
        {
            if (deviceClass.Metadata?.Name is { } name)
            {
                _classes[name] = deviceClass;
            }
        }
    }

    public Resourcev1ResourceClaim? Claim(string ns, string name) => _claims.GetValueOrDefault(ns + "/" + name);

    public V1ResourceClaimTemplate? Template(string ns, string name) => _templates.GetValueOrDefault(ns + "/" + name);

    public V1DeviceClass? Class(string name) => _classes.GetValueOrDefault(name);

    /// <summary>The claim made from a template for the pod with <paramref name="podUid"/>'s claim <paramref name="podClaim"/>, found by its owner and annotation.</summary>
    public Resourcev1ResourceClaim? Generated(string podUid, string podClaim) => _generated.GetValueOrDefault((podUid, podClaim));
}
