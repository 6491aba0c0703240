using System.Globalization;

namespace Berth.TestKit.Kubernetes.Snapshots;

/// <summary>Writes a kubeconfig file whose only context points at <paramref name="server"/> (a fake API server, or a dead port).</summary>
public static class Kubeconfig
{
    public static string Write(string folder, Uri server, string context = "fake")
    {
        ArgumentNullException.ThrowIfNull(server);
        var path = Path.Combine(folder, "kubeconfig.yaml");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {context}
              cluster:
                server: "{server.ToString().TrimEnd('/')}"
            contexts:
            - name: {context}
              context:
                cluster: {context}
                user: tester
            current-context: {context}
            users:
            - name: tester
              user:
                token: test-token
            """));
        return path;
    }
}
