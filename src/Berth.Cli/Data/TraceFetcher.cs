using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Berth.Cli.Running;
using Berth.Simulation.Input;
using Spectre.Console;

namespace Berth.Cli.Data;

/// <summary>
/// Downloads a <see cref="TraceSource"/> into a folder: 1. every file into a staging folder beside the
/// destination, with a progress bar; 2. checksums verified where known; 3. archives unpacked (their .csv
/// entries); 4. SOURCE.md (where from, the licence) and SHA256SUMS written; 5. everything moved into place.
/// Any failure leaves the destination as it was.
/// </summary>
public sealed class TraceFetcher
{
    private readonly HttpClient _http;
    private readonly CliTerminal _terminal;

    public TraceFetcher(HttpClient http, CliTerminal terminal)
    {
        _http = http;
        _terminal = terminal;
    }

    /// <summary>Fetches <paramref name="source"/> from <paramref name="baseUrl"/> (its published location, or a mirror) into <paramref name="to"/>; returns the files written.</summary>
    public IReadOnlyList<string> Fetch(TraceSource source, string baseUrl, string to)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(baseUrl);
        using var output = OutputFolder.Create(to, "--to");
        _terminal.Out.WriteLine($"Fetching {source.Name}: {source.Title}");
        _terminal.Out.WriteLine($"from {baseUrl}");
        _terminal.Out.WriteLine(source.Licence.TrimEnd());
        _terminal.Out.Flush();

        // 1-2. Download and verify.
        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var total = source.Files.Sum(f => f.Size);
        if (_terminal.Interactive)
        {
            _terminal.Console.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask(Markup.Escape($"{source.Name}: {source.Files.Count} files"), maxValue: Math.Max(1, total));
                    bar.IsIndeterminate = total == 0;
                    foreach (var file in source.Files)
                    {
                        bar.Description = Markup.Escape($"{source.Name}: {Path.GetFileName(file.Path)}");
                        sums[file.Path] = Download(source, baseUrl, file, output, bytes =>
                        {
                            if (bar.Value + bytes > bar.MaxValue)
                            {
                                bar.MaxValue = bar.Value + bytes;
                            }

                            bar.Increment(bytes);
                        });
                    }

                    bar.Value = bar.MaxValue;
                });
        }
        else
        {
            for (var i = 0; i < source.Files.Count; i++)
            {
                var file = source.Files[i];
                long bytes = 0;
                sums[file.Path] = Download(source, baseUrl, file, output, n => bytes += n);
                _terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{i + 1}/{source.Files.Count}] {file.Path}: {bytes:N0} bytes, {(file.Sha256 is null ? "no published checksum" : "checksum ok")}"));
                _terminal.Out.Flush();
            }
        }

        // 3. Unpack.
        foreach (var archive in source.Archives)
        {
            var path = output.StagingPath(LocalName(archive));
            foreach (var (name, sha) in Unpack(path, output))
            {
                sums[name] = sha;
            }

            File.Delete(path);
            sums.Remove(archive);
        }

        // 4. Where from, under what terms, and the sums of what is here.
        var written = sums.Keys.Select(LocalName).ToList();
        File.WriteAllText(output.StagingPath("SOURCE.md"), SourceNote(source, baseUrl, sums));
        File.WriteAllText(output.StagingPath("SHA256SUMS"), string.Concat(sums.Select(s => $"{s.Value}  {LocalName(s.Key)}\n")));
        written.Add("SOURCE.md");
        written.Add("SHA256SUMS");

        // 5. Into place.
        output.Commit();
        _terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {written.Count} files to {output.Destination} (licence and source in SOURCE.md)."));
        return written;
    }

    /// <summary>The name a file gets in the destination: the last part of its path.</summary>
    private static string LocalName(string path) => path[(path.LastIndexOf('/') + 1)..];

    private string Download(TraceSource source, string baseUrl, TraceFile file, OutputFolder output, Action<long> progress)
    {
        var url = $"{baseUrl}/{file.Path}";
        var target = output.StagingPath(LocalName(file.Path));
        var cancellation = _terminal.Cancellation;
        try
        {
            using var response = _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw new FetchFailedException($"GET {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}; the published location may have moved or be down (see {source.Homepage}); nothing was written");
            }

            using var body = response.Content.ReadAsStream(cancellation);
            using var stream = File.Create(target);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            while ((read = body.ReadAsync(buffer, cancellation).AsTask().GetAwaiter().GetResult()) > 0)
            {
                stream.Write(buffer, 0, read);
                hash.AppendData(buffer, 0, read);
                progress(read);
            }

            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (file.Sha256 is { } expected && !string.Equals(sha, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new FetchFailedException($"{url}: the download does not match the published file (SHA-256 {sha}, expected {expected}); it may be truncated or changed; try again, nothing was written");
            }

            return sha;
        }
        catch (HttpRequestException e)
        {
            throw new FetchFailedException($"cannot reach {Host(url)} ({Reason(e)}); check the network connection (or a proxy: HTTPS_PROXY), or download {url} by hand", e);
        }
        catch (IOException e) when (e.InnerException is SocketException or HttpRequestException)
        {
            throw new FetchFailedException($"the connection to {Host(url)} broke while downloading {file.Path} ({e.Message}); try again", e);
        }
        catch (TaskCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new FetchFailedException($"{url}: no answer in time; check the network connection and try again", e);
        }
    }

    private static IEnumerable<(string Name, string Sha)> Unpack(string archive, OutputFolder output)
    {
        var found = new List<(string, string)>();
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                // Only the CSV files, flat: an entry's folders (and any '..' in its name) are dropped.
                var name = Path.GetFileName(entry.Name.Replace('\\', '/').TrimEnd('/'));
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null
                    || !name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || name.StartsWith('.'))
                {
                    continue;
                }

                if (found.Any(f => f.Item1 == name))
                {
                    throw new FetchFailedException($"{Path.GetFileName(archive)}: holds {name} twice; nothing was written");
                }

                using (var target = File.Create(output.StagingPath(name)))
                {
                    entry.DataStream.CopyTo(target);
                }

                using var read = File.OpenRead(output.StagingPath(name));
                found.Add((name, Convert.ToHexStringLower(SHA256.HashData(read))));
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new FetchFailedException($"{Path.GetFileName(archive)}: not a readable .tar.gz archive ({e.Message}); the download may be damaged; try again, nothing was written", e);
        }

        if (found.Count == 0)
        {
            throw new FetchFailedException($"{Path.GetFileName(archive)}: holds no .csv file; the published archive may have changed; nothing was written");
        }

        return found;
    }

    private static string SourceNote(TraceSource source, string baseUrl, IReadOnlyDictionary<string, string> sums)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {source.Name}: {source.Title}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Fetched by `berth data fetch {source.Name}` (berth {BerthCli.Version}) from {baseUrl}\n");
        text.Append(CultureInfo.InvariantCulture, $"(published at {source.Homepage}).\n\n");
        text.Append(source.Licence.TrimEnd()).Append("\n\n");
        text.Append("Files (SHA-256; also in SHA256SUMS):\n\n");
        foreach (var (name, sha) in sums)
        {
            var known = source.Files.FirstOrDefault(f => f.Path == name)?.Sha256 is not null ? " (verified against the published checksum)" : string.Empty;
            text.Append(CultureInfo.InvariantCulture, $"- `{LocalName(name)}`: {sha}{known}\n");
        }

        return text.ToString();
    }

    private static string Host(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : url;

    private static string Reason(HttpRequestException e) => e.InnerException is SocketException socket ? socket.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "the host name does not resolve: offline?",
        SocketError.ConnectionRefused => "connection refused",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable: offline?",
        SocketError.TimedOut => "connection timed out",
        _ => socket.Message,
    } : e.Message;

    /// <summary>Checks a base URL given by the user (option or environment): absolute http(s), no trailing slash kept.</summary>
    public static string CheckBaseUrl(string text, string from)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InputException($"{from} '{PrintableText.Of(text)}': give an absolute http:// or https:// URL of a folder holding the trace's files");
        }

        return uri.ToString().TrimEnd('/');
    }
}
