using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Server.Tests;

public class TlsTests
{
    [Fact]
    public async Task WithACertificate_TheServerSpeaksHttpsOnly()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
        await using var server = await BerthServer.StartAsync(new ServerOptions { DataDirectory = dir, Cluster = ServerHarness.SmallCluster(), Port = 0, CycleInterval = null, Certificate = certificate });
        Assert.Equal("https", server.Url.Scheme);

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint };
        using var https = new HttpClient(handler) { BaseAddress = server.Url };
        Assert.Equal("ok", await https.GetStringAsync("healthz"));

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Url.Port}/") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync("healthz"));
    }
}
