namespace Berth.Kubernetes.Operator;

/// <summary>The serving certificate once the host has it (Kestrel asks on every TLS handshake; set once at start).</summary>
internal sealed class CertificateSlot
{
    private volatile ServingCertificate? _current;

    public ServingCertificate? Current
    {
        get => _current;
        set => _current = value;
    }
}
