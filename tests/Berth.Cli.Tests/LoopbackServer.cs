using System.Net;
using System.Net.Sockets;

namespace Berth.Cli.Tests;

/// <summary>
/// A small HTTP server on 127.0.0.1 serving fixed files by path (anything else: 404), standing in for the
/// published trace locations that the test machine cannot reach.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly Task _loop;

    public LoopbackServer(IReadOnlyDictionary<string, byte[]> files)
    {
        _files = files;
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}/mirror";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public string BaseUrl { get; }

    public int Requests;

    /// <summary>A loopback port with nothing listening: connecting to it is refused at once, as when offline.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener's disposal.
        }
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref Requests);
            var path = context.Request.Url!.AbsolutePath;
            const string prefix = "/mirror/";
            if (path.StartsWith(prefix, StringComparison.Ordinal) && _files.TryGetValue(path[prefix.Length..], out var body))
            {
                context.Response.StatusCode = 200;
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            context.Response.Close();
        }
    }
}
