using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Simulation.Input;

namespace Berth.Cli.Remote;

/// <summary>
/// The options every command that talks to a Berth server has: where it is (<c>--server</c>, else
/// <c>BERTH_SERVER</c>, else http://127.0.0.1:8080), the token (<c>--token</c>, else <c>BERTH_TOKEN</c>, else
/// <c>./berth-data/admin.token</c> when it exists), which CA to trust over HTTPS (<c>--certificate-authority</c>, else
/// <c>BERTH_CA_FILE</c>, else the system's roots; as kubectl's flag, the file replaces the system's roots, so a private CA
/// such as the operator's is trusted for exactly that server and verification is never skipped), and the output format.
/// </summary>
internal sealed class ClientOptions
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    public Option<string?> Server { get; } = new("--server") { Description = "URL of the Berth server (default: $BERTH_SERVER, else " + DefaultServer + ").", HelpName = "url" };

    public Option<string?> Token { get; } = new("--token") { Description = "Bearer token (default: $BERTH_TOKEN, else ./berth-data/admin.token if it exists). Prefer BERTH_TOKEN: arguments show in ps.", HelpName = "token" };

    public Option<string?> CertificateAuthority { get; } = new("--certificate-authority") { Description = "PEM file of the CA that signed an https:// server's certificate, trusted instead of the system's (default: $BERTH_CA_FILE). For the operator: kubectl -n berth-system get secret berth-webhook-tls -o jsonpath='{.data.ca\\.crt}' | base64 -d > berth-ca.crt", HelpName = "file" };

    public Option<string> Output { get; } = new("--output", "-o") { Description = "Output: table (default), wide, json or yaml.", HelpName = "format", DefaultValueFactory = _ => "table" };

    public void AddTo(Command command, bool withOutput = true)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(CertificateAuthority);
        if (withOutput)
        {
            command.Options.Add(Output);
        }
    }

    public ServerClient Connect(ParseResult parse, CliTerminal terminal)
    {
        var server = parse.GetValue(Server) ?? Environment.GetEnvironmentVariable("BERTH_SERVER") ?? DefaultServer;
        if (!Uri.TryCreate(server.TrimEnd('/') + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new InputException($"--server '{server}' is not an http(s) URL; give one such as {DefaultServer}");
        }

        var trust = Trust(parse, url);

        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("BERTH_TOKEN");
        if (string.IsNullOrWhiteSpace(token) && File.Exists(Path.Combine("berth-data", "admin.token")))
        {
            token = File.ReadAllText(Path.Combine("berth-data", "admin.token")).Trim();
        }

        return new ServerClient(url, token, trust, terminal.Cancellation);
    }

    /// <summary>The output format asked for; bad input for anything else.</summary>
    public string Format(ParseResult parse)
    {
        var format = parse.GetValue(Output) ?? "table";
        return format is "table" or "wide" or "json" or "yaml"
            ? format
            : throw new InputException($"-o '{format}' is not an output format; use table, wide, json or yaml");
    }

    /// <summary>The CA certificates to trust instead of the system's; null when none is given. Bad input when the file is missing, holds no PEM certificate, or the server is not https.</summary>
    private X509Certificate2Collection? Trust(ParseResult parse, Uri url)
    {
        var flag = parse.GetValue(CertificateAuthority);
        var (file, source) = flag is not null ? (flag, "--certificate-authority") : (Environment.GetEnvironmentVariable("BERTH_CA_FILE"), "BERTH_CA_FILE");
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        if (flag is not null && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new InputException($"--certificate-authority {file}: the server {url} is plain http, which has no certificate; give its https:// URL to --server, or leave the option out");
        }

        if (!File.Exists(file))
        {
            throw new InputException($"{source} {file}: no such file; give the PEM file of the CA that signed the server's certificate (for the operator: its Secret berth-webhook-tls, key ca.crt)");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{source} {file}: cannot read a PEM certificate from it ({e.Message}); give a file of -----BEGIN CERTIFICATE----- blocks, such as the ca.crt of Secret berth-webhook-tls");
        }

        return certificates.Count > 0
            ? certificates
            : throw new InputException($"{source} {file}: holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); give the CA's certificate in PEM, such as the ca.crt of Secret berth-webhook-tls");
    }
}
