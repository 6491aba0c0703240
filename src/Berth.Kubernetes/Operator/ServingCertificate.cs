using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// The TLS certificate of the webhook and of <c>/metrics</c>: cert-manager's (a directory with <c>tls.crt</c> and
/// <c>tls.key</c>, mounted from its Secret), else the operator's own: a private CA (its PEM goes into the webhook
/// configurations' <c>caBundle</c>) and a serving certificate for the webhook Service's DNS names, kept in a Secret.
/// </summary>
public sealed class ServingCertificate : IDisposable
{
    /// <summary>The Secret (in Berth's namespace) that holds the operator's own certificate, shared by its replicas.</summary>
    public const string SecretName = "berth-webhook-tls";

    private ServingCertificate(X509Certificate2 certificate, string caPem, bool generated)
    {
        Certificate = certificate;
        CaPem = caPem;
        Generated = generated;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>PEM of the CA that signed <see cref="Certificate"/> (what a client trusts; the caBundle).</summary>
    public string CaPem { get; }

    /// <summary>True for the operator's own (it patches the caBundle); false for cert-manager's (its CA injector does).</summary>
    public bool Generated { get; }

    /// <summary>
    /// cert-manager's certificate when <paramref name="directory"/> holds <c>tls.crt</c> and <c>tls.key</c> (its Secret,
    /// mounted optional); else null, and the operator uses its own (<see cref="LoadOrCreateAsync"/>).
    /// </summary>
    public static ServingCertificate? Load(string? directory)
    {
        if (directory is null)
        {
            return null;
        }

        var crt = Path.Combine(directory, "tls.crt");
        var key = Path.Combine(directory, "tls.key");
        if (!File.Exists(crt) || !File.Exists(key))
        {
            return null;
        }

        var ca = Path.Combine(directory, "ca.crt");
        return FromPem(File.ReadAllText(crt), File.ReadAllText(key), File.Exists(ca) ? File.ReadAllText(ca) : File.ReadAllText(crt), generated: false);
    }

    /// <summary>
    /// The operator's own certificate, shared by its replicas through the Secret <see cref="SecretName"/> in Berth's
    /// namespace (one CA in the caBundle for all of them): read when it exists, else made and created (the loser of
    /// a race reads the winner's).
    /// </summary>
    public static async Task<ServingCertificate> LoadOrCreateAsync(IKubernetes client, string ns, IReadOnlyList<string> dnsNames, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var secret = await client.CoreV1.ReadNamespacedSecretAsync(SecretName, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (secret.Data is { } data && data.TryGetValue("tls.crt", out var crt) && data.TryGetValue("tls.key", out var key) && data.TryGetValue("ca.crt", out var ca))
                {
                    return FromPem(Encoding.UTF8.GetString(crt), Encoding.UTF8.GetString(key), Encoding.UTF8.GetString(ca), generated: true);
                }

                throw new InvalidOperationException($"Secret {ns}/{SecretName} lacks tls.crt, tls.key or ca.crt; delete it and Berth makes a new one");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && attempt < 3)
            {
                var (certificatePem, keyPem, caPem) = Generate(dnsNames, now);
                var secret = new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Metadata = new V1ObjectMeta { Name = SecretName, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "berth" } },
                    Type = "kubernetes.io/tls",
                    Data = new Dictionary<string, byte[]> { ["tls.crt"] = Encoding.UTF8.GetBytes(certificatePem), ["tls.key"] = Encoding.UTF8.GetBytes(keyPem), ["ca.crt"] = Encoding.UTF8.GetBytes(caPem) },
                };
                try
                {
                    await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (HttpOperationException conflict) when (conflict.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // another replica made one first: read theirs
                }
            }
        }
    }

    /// <summary>A fresh CA and a serving certificate for <paramref name="dnsNames"/> (and 127.0.0.1), valid for a year from <paramref name="now"/>: PEMs of the certificate, its key and the CA.</summary>
    public static (string Certificate, string Key, string Ca) Generate(IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=berth-webhook-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames.FirstOrDefault() ?? "berth"}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }

        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, now.AddMinutes(-5), now.AddYears(1).AddMinutes(-10), RandomNumberGenerator.GetBytes(16));
        return (signed.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), ca.ExportCertificatePem());
    }

    private static ServingCertificate FromPem(string certificatePem, string keyPem, string caPem, bool generated)
    {
        using var pem = X509Certificate2.CreateFromPem(certificatePem, keyPem);

        // Through PKCS#12 so the key is one Kestrel can use on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        return new ServingCertificate(certificate, caPem, generated);
    }

    /// <summary>The webhook Service's DNS names: <c>name</c>, <c>name.ns</c>, <c>name.ns.svc</c>, <c>name.ns.svc.cluster.local</c>.</summary>
    public static IReadOnlyList<string> ServiceNames(string service, string ns) =>
        [service, $"{service}.{ns}", $"{service}.{ns}.svc", $"{service}.{ns}.svc.cluster.local", "localhost"];

    public void Dispose() => Certificate.Dispose();
}
