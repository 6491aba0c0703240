using Berth.Kubernetes.Controller;

namespace Berth.TestKit.Kubernetes;

/// <summary>The admission-record key of every controller a test or scale scenario starts (a restarted controller trusts what the previous one wrote).</summary>
public static class TestSeals
{
    public static AdmissionRecordSeal Key { get; } = AdmissionRecordSeal.WithKey(System.Text.Encoding.UTF8.GetBytes("berth-tests-admission-record-key-0123456789"));
}
