using Berth.Model;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Maps the GPU product names nodes are labelled with (GPU Feature Discovery's <c>nvidia.com/gpu.product</c>,
/// GKE's <c>cloud.google.com/gke-accelerator</c>) to the model names of <see cref="GpuModelCatalog"/>
/// (<c>NVIDIA-A100-SXM4-80GB</c> is <c>A100</c>), so that pods asking for a model and nodes offering it agree.
/// A product Berth does not know keeps its own name.
/// </summary>
internal static class GpuModelNames
{
    public static string FromProduct(string product)
    {
        ArgumentNullException.ThrowIfNull(product);
        product = GpuSharingLabels.BaseProduct(product);
        var upper = product.ToUpperInvariant();
        if (upper == "NVIDIA-TESLA-A100")
        {
            return "A100-40G"; // GKE's name for the 40 GB A100.
        }

        var tokens = upper.Split(['-', '_', ' ', '.'], StringSplitOptions.RemoveEmptyEntries);
        bool Has(string token) => tokens.Contains(token, StringComparer.Ordinal);
        if (Has("H200"))
        {
            return "H200";
        }

        if (Has("H100"))
        {
            return "H100";
        }

        if (Has("B200"))
        {
            return "B200";
        }

        if (Has("A100"))
        {
            return Has("40GB") ? "A100-40G" : "A100";
        }

        if (Has("L40S"))
        {
            return "L40S";
        }

        if (Has("L4"))
        {
            return "L4";
        }

        if (Has("A10") || Has("A10G"))
        {
            return "A10";
        }

        if (Has("T4"))
        {
            return "T4";
        }

        if (Has("V100"))
        {
            return Has("32GB") ? "V100M32" : "V100M16";
        }

        if (Has("P100"))
        {
            return "P100";
        }

        return product;
    }
}
