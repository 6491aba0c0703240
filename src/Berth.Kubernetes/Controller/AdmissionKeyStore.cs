using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// The admission-record key in the Secret <see cref="AdmissionRecordSeal.SecretName"/> of Berth's namespace: read
/// when it exists, else created with a random key (two replicas racing: the loser reads the winner's). Only
/// Berth's ServiceAccount may read that Secret (deploy/rbac.yaml: a Role in Berth's namespace, nothing
/// cluster-wide), so no tenant can sign a record.
/// </summary>
public static class AdmissionKeyStore
{
    public static async Task<AdmissionRecordSeal> LoadOrCreateAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var secret = await client.CoreV1.ReadNamespacedSecretAsync(AdmissionRecordSeal.SecretName, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (secret.Data is null || !secret.Data.TryGetValue(AdmissionRecordSeal.SecretKey, out var key))
                {
                    throw new InvalidOperationException($"Secret {ns}/{AdmissionRecordSeal.SecretName} has no entry '{AdmissionRecordSeal.SecretKey}'; delete the Secret (Berth creates a new key) or add {AdmissionRecordSeal.MinimumKeyBytes} random bytes under '{AdmissionRecordSeal.SecretKey}'");
                }

                return AdmissionRecordSeal.WithKey(key);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && attempt < 3)
            {
                var secret = new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Metadata = new V1ObjectMeta { Name = AdmissionRecordSeal.SecretName, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "berth" } },
                    Type = "Opaque",
                    Data = new Dictionary<string, byte[]> { [AdmissionRecordSeal.SecretKey] = AdmissionRecordSeal.NewKey() },
                };
                try
                {
                    await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (HttpOperationException conflict) when (conflict.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // another replica created it first: read theirs
                }
            }
        }
    }
}
