using Berth.Kubernetes.Controller;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>The admission-record key of every controller a test or scale scenario starts (a restarted controller trusts what the previous one wrote).</summary>
internal static class TestSeals
{
    public static AdmissionRecordSeal Key { get; } = AdmissionRecordSeal.WithKey(System.Text.Encoding.UTF8.GetBytes("berth-tests-admission-record-key-0123456789"));
}
