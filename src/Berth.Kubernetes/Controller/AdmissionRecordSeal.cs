using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Proof that Berth wrote an admission record: an HMAC-SHA256 over the object's uid and the record, keyed with a
/// secret only Berth's ServiceAccount can read (the Secret <see cref="SecretName"/> in Berth's namespace). A tenant
/// who may create and update their own Jobs and PodGroups can write any annotation, but cannot compute the seal,
/// and a record copied from one object to another fails because the uid differs. A record that does not verify
/// is treated as absent (the workload waits in its queue, a running Job is suspended) and is removed.
/// Thread-safe: immutable after construction.
/// </summary>
public sealed class AdmissionRecordSeal
{
    /// <summary>The Secret (in Berth's namespace) whose <see cref="SecretKey"/> entry holds the key.</summary>
    public const string SecretName = "berth-admission-key";

    public const string SecretKey = "key";

    /// <summary>Fewest key bytes accepted (HMAC-SHA256's block of strength).</summary>
    public const int MinimumKeyBytes = 32;

    private readonly byte[]? _key;

    private AdmissionRecordSeal(byte[]? key) => _key = key;

    /// <summary>
    /// Reads records without checking seals. Only for offline readers of a captured snapshot and pure planner
    /// calls (nothing is written back); the controller never runs with it.
    /// </summary>
    public static AdmissionRecordSeal Unverified { get; } = new(null);

    /// <summary>True when this seal checks records (the controller needs one that does).</summary>
    public bool Verifies => _key is not null;

    /// <summary>A seal with <paramref name="key"/> (at least <see cref="MinimumKeyBytes"/> bytes).</summary>
    public static AdmissionRecordSeal WithKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException($"the admission-record key has {key.Length} bytes; give at least {MinimumKeyBytes} random bytes (Secret {SecretName}, entry '{SecretKey}')", nameof(key));
        }

        return new AdmissionRecordSeal(key.ToArray());
    }

    /// <summary>A fresh random key of <see cref="MinimumKeyBytes"/> bytes, for a new Secret.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(MinimumKeyBytes);

    /// <summary>The record with its seal for the object with <paramref name="uid"/> (unsigned from <see cref="Unverified"/>, whose records no controller accepts).</summary>
    public AdmissionRecord Sign(AdmissionRecord record, string? uid)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _key is null ? record with { Seal = null } : record with { Seal = Compute(_key, record, uid) };
    }

    /// <summary>The record on <paramref name="meta"/> when Berth wrote it for this very object; null when absent, malformed or forged.</summary>
    public AdmissionRecord? Open(V1ObjectMeta? meta)
    {
        var record = AdmissionRecord.Parse(meta?.Annotations);
        if (record is null || _key is null)
        {
            return record;
        }

        if (record.Seal is not { Length: > 0 } seal)
        {
            return null;
        }

        byte[] given;
        try
        {
            given = Convert.FromBase64String(seal);
        }
        catch (FormatException)
        {
            return null;
        }

        var expected = Convert.FromBase64String(Compute(_key, record, meta?.Uid));
        return CryptographicOperations.FixedTimeEquals(given, expected) ? record : null;
    }

    /// <summary>True when <paramref name="meta"/> carries a record annotation that <see cref="Open"/> does not accept (to be removed).</summary>
    public bool IsForged(V1ObjectMeta? meta) =>
        meta?.Annotations?.ContainsKey(AdmissionRecord.AnnotationName) == true && Open(meta) is null;

    private static string Compute(byte[] key, AdmissionRecord record, string? uid)
    {
        var payload = Encoding.UTF8.GetBytes((uid ?? string.Empty) + "\n" + JsonSerializer.Serialize(record with { Seal = null }));
        return Convert.ToBase64String(HMACSHA256.HashData(key, payload));
    }
}
