using System.Security.Cryptography.X509Certificates;
using Berth.Kubernetes.Operator;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>An HTTPS client that trusts exactly the CA of a serving certificate (what the API server does with the caBundle).</summary>
internal static class Https
{
    public static HttpClient Trusting(ServingCertificate certificate, Uri baseAddress)
    {
        var ca = X509Certificate2.CreateFromPem(certificate.CaPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
            {
                if (presented is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(presented);
            },
        };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress };
    }
}
