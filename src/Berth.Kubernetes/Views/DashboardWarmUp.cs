using System.Text.Json;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.Web;

namespace Berth.Kubernetes.Views;

/// <summary>
/// Runs the dashboard's read path once in the background after the operator listens, so that the first person to open
/// it does not wait for its code to be compiled (docs/PERFORMANCE.md §10): one request over HTTPS to the listener itself
/// (TLS, the files, the authorization middleware's 401), then, once the first decision exists, every view of it to JSON.
/// It reads only, asks the API server nothing, and gives up quietly (it is an optimisation, never a failure).
/// </summary>
internal static class DashboardWarmUp
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(Uri address, ServingCertificate certificate, OperatorViews views, BerthController controller, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var expected = certificate.Certificate.GetCertHashString();
            using var http = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == expected }, // only this listener's own certificate
            }) { BaseAddress = address };
            foreach (var path in new[] { "ui/", "ui/app.js", "api/v1/info" })
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
            }

            for (var waited = TimeSpan.Zero; controller.Current(OperatorViews.ReadingAge) is null; waited += Step)
            {
                if (waited > Patience)
                {
                    return;
                }

                await Task.Delay(Step, time, cancellationToken).ConfigureAwait(false);
            }

            var scope = ViewScope.All;
            JsonSerializer.Serialize(views.Jobs(new JobQuery(null, null, null, null, 1), scope), ApiJson.Responses);
            var queues = views.Queues(scope);
            JsonSerializer.Serialize(queues, ApiJson.Responses);
            JsonSerializer.Serialize(views.Cohorts(scope), ApiJson.Responses);
            JsonSerializer.Serialize(views.Nodes(scope), ApiJson.Responses);
            JsonSerializer.Serialize(views.Timeline(scope, null), ApiJson.Responses);
            if (queues.Count > 0)
            {
                JsonSerializer.Serialize(views.Pending(queues[0].Name, 0, 1, scope), ApiJson.Responses);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            // stopping, or the listener went away: nothing to warm
        }
    }
}
