using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// Puts the operator's own CA into the <c>caBundle</c> of Berth's MutatingWebhookConfiguration and
/// ValidatingWebhookConfiguration (named <paramref name="name"/>), as controllers without cert-manager do. Only
/// when the operator made its certificate; with cert-manager its CA injector fills the caBundle.
/// </summary>
public static class WebhookConfigurations
{
    /// <summary>Patches both configurations; returns how many it patched (a missing one is skipped: the webhook is not installed).</summary>
    public static async Task<int> PatchCaBundleAsync(IKubernetes client, string name, string caPem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var bundle = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        var patched = 0;
        try
        {
            var mutating = await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            await client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(new V1Patch(Patch(mutating.Webhooks?.Count ?? 0, bundle), V1Patch.PatchType.JsonPatch), name, cancellationToken: cancellationToken).ConfigureAwait(false);
            patched++;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // not installed
        }

        try
        {
            var validating = await client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            await client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(new V1Patch(Patch(validating.Webhooks?.Count ?? 0, bundle), V1Patch.PatchType.JsonPatch), name, cancellationToken: cancellationToken).ConfigureAwait(false);
            patched++;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // not installed
        }

        return patched;
    }

    private static string Patch(int webhooks, string bundle) =>
        "[" + string.Join(",", Enumerable.Range(0, webhooks).Select(i => $"{{\"op\":\"add\",\"path\":\"/webhooks/{i}/clientConfig/caBundle\",\"value\":\"{bundle}\"}}")) + "]";
}
