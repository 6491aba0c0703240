namespace Berth.TestKit;

/// <summary>Locates <c>../shared</c> (traces and baselines) from the test's working directory.</summary>
public static class SharedData
{
    /// <summary>The shared folder beside the repository, or null when it is not there.</summary>
    public static string? Root { get; } = Find();

    /// <summary>Why a test that reads the traces is skipped, and how to get them.</summary>
    public const string SkipReason = "needs the public traces in ../shared/traces beside the repository (openb; ITP for some): get them with 'berth data fetch openb --to ../shared/traces/openb' and 'berth data fetch itp --to ../shared/traces/itp'";

    public static string OpenbDir => Path.Combine(Root ?? throw new InvalidOperationException("../shared not found beside the repository"), "traces", "openb");

    public static string Openb(string file) => Path.Combine(OpenbDir, file);

    private static string? Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "traces", "openb");
            if (Directory.Exists(candidate) && dir.Name != "main")
            {
                return Path.Combine(dir.FullName, "shared");
            }

            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                var beside = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                if (Directory.Exists(beside))
                {
                    return beside;
                }
            }

            dir = dir.Parent;
        }

        return null;
    }
}
