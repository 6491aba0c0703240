using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Berth.Server.Store;

namespace Berth.Server.Access;

/// <summary>
/// Bearer tokens: made from 32 random bytes, shown once, stored only as their SHA-256 (a stolen database holds no
/// usable token). On a store with no token an admin token is made and written to <c>DIR/admin.token</c>, mode 0600.
/// Thread-safe.
/// </summary>
public sealed class TokenRegistry
{
    public const string AdminTokenFile = "admin.token";

    private readonly ServerStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Caller> _byHash = new(StringComparer.Ordinal);

    public TokenRegistry(ServerStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        foreach (var (hash, name, role, queues) in store.Tokens())
        {
            _byHash[hash] = new Caller(name, Enum.Parse<Role>(role), Split(queues));
        }
    }

    public int Count => _byHash.Count;

    /// <summary>
    /// On first start (no token stored): makes the admin token, writes it to <paramref name="directory"/>/admin.token
    /// (mode 0600 where the system has modes) and returns it. Null when tokens exist already.
    /// </summary>
    public string? EnsureAdmin(string directory)
    {
        if (!_byHash.IsEmpty)
        {
            return null;
        }

        var token = Create(Role.Admin, [], "admin");
        var path = Path.Combine(directory, AdminTokenFile);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
        {
            writer.WriteLine(token);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return token;
    }

    /// <summary>Makes a token, stores its hash, and returns the token (the only time it is seen).</summary>
    public string Create(Role role, IReadOnlyCollection<string> queues, string name)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var token = "berth_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Hash(token);
        var joined = string.Join(',', queues.Order(StringComparer.Ordinal));
        _store.AddToken(hash, name, role.ToString(), joined, _time.GetUtcNow());
        _byHash[hash] = new Caller(name, role, Split(joined));
        return token;
    }

    /// <summary>The caller of <paramref name="token"/>; null for an unknown token.</summary>
    public Caller? Find(string token) => _byHash.GetValueOrDefault(Hash(token));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static HashSet<string> Split(string queues) => queues.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
