using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Berth.Server.Api;
using Berth.Simulation.Input;

namespace Berth.Cli.Remote;

/// <summary>
/// HTTP calls to a Berth server with the exit-code policy built in: a refusal about the input (400, 404, 409, 413,
/// 415) is bad input (exit 2, the server's problem detail with its field); no connection, 401, 403, 429 and 5xx
/// are a server that cannot be reached or refused (exit 3), as is a certificate that is not trusted.
/// </summary>
/// <param name="trust">CA certificates trusted instead of the system's roots (<c>--certificate-authority</c>); null: the system's.</param>
internal sealed class ServerClient(Uri url, string? token, X509Certificate2Collection? trust, CancellationToken cancellation) : IDisposable
{
    private readonly HttpClient _http = Make(url, token, trust);

    public Uri Url { get; } = url;

    public T Get<T>(string path) => Send<T>(HttpMethod.Get, path, null, null);

    public T Send<T>(HttpMethod method, string path, object? body, IReadOnlyDictionary<string, string>? headers)
    {
        var text = SendRaw(method, path, body, headers);
        return JsonSerializer.Deserialize<T>(text, ApiJson.Responses) ?? throw new ServerRefusedException($"the server at {Url} answered {path} with null");
    }

    /// <summary>The response body of a successful request.</summary>
    public string SendRaw(HttpMethod method, string path, object? body, IReadOnlyDictionary<string, string>? headers) => SendRaw(method, path, body, headers, out _);

    /// <summary>The response body of a successful request, and its headers.</summary>
    public string SendRaw(HttpMethod method, string path, object? body, IReadOnlyDictionary<string, string>? headers, out HttpResponseHeaders responseHeaders)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, ApiJson.Responses), Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = _http.SendAsync(request, cancellation).GetAwaiter().GetResult();
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException tls)
        {
            throw new ServerRefusedException($"the server at {Url} presented a TLS certificate this client does not trust ({tls.Message}); give the CA that signed it with --certificate-authority FILE or BERTH_CA_FILE (for the operator: the ca.crt of Secret berth-webhook-tls)", e);
        }
        catch (HttpRequestException e)
        {
            throw new ServerRefusedException($"cannot reach the Berth server at {Url} ({e.Message}); start one with 'berth serve', or point --server or BERTH_SERVER at it", e);
        }
        catch (TaskCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new ServerRefusedException($"the Berth server at {Url} did not answer within {_http.Timeout.TotalSeconds:0}s; check that it runs", e);
        }

        using (response)
        {
            var text = response.Content.ReadAsStringAsync(cancellation).GetAwaiter().GetResult();
            responseHeaders = response.Headers;
            if (response.IsSuccessStatusCode)
            {
                return text;
            }

            var detail = Detail(text, out var field);
            var status = (int)response.StatusCode;
            var message = $"{path}: {detail}{(field is null ? string.Empty : $" (field: {field})")}";
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new ServerRefusedException($"the server at {Url} refused the token ({status}): {detail}"),
                HttpStatusCode.Forbidden => new ServerRefusedException($"the server at {Url} refused ({status}): {detail}"),
                HttpStatusCode.TooManyRequests => new ServerRefusedException($"the server at {Url} is rate-limiting this token (429); retry in a moment"),
                _ when status >= 500 => new ServerRefusedException($"the server at {Url} failed ({status}): {detail}"),
                _ => new InputException(message),
            };
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Detail(string text, out string? field)
    {
        field = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String)
                {
                    field = f.GetString();
                }

                if (doc.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
                {
                    return d.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // not a problem document: show the text
        }

        return text.Length > 500 ? text[..500] : text;
    }

    private static HttpClient Make(Uri url, string? token, X509Certificate2Collection? trust)
    {
        var handler = new SocketsHttpHandler();
        if (trust is not null)
        {
            // Chain to these roots only (as kubectl's --certificate-authority); the host name is still checked.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(trust);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrWhiteSpace(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }

        return http;
    }
}
