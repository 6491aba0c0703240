using System.Globalization;
using Berth.Simulation.Input;

namespace Berth.Cli.Running;

/// <summary>
/// Nothing half-written: files go into a hidden staging folder beside the destination and are moved into it
/// by <see cref="Commit"/>. Disposing without committing deletes the staging folder and leaves the destination
/// as it was. Files already in the destination that the command does not write are kept. A run killed outright
/// cannot clean up, so the staging folder names its process and the next run for the same destination removes
/// it once that process is gone.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    private bool _committed;

    private OutputFolder(string destination, string staging)
    {
        Destination = destination;
        Staging = staging;
    }

    /// <summary>The folder the user asked for (absolute).</summary>
    public string Destination { get; }

    /// <summary>Where to write until <see cref="Commit"/>.</summary>
    public string Staging { get; }

    /// <summary>Checks that <paramref name="path"/> can be a folder and creates the staging folder beside it.</summary>
    public static OutputFolder Create(string path, string option = "--out")
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Trim().Length == 0)
        {
            throw new InputException($"{option}: the folder name is empty");
        }

        string destination;
        try
        {
            destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InputException($"{option} '{path}': not a valid folder path ({e.Message})");
        }

        if (File.Exists(destination))
        {
            throw new InputException($"{option} '{path}': a file with that name exists; give a folder");
        }

        var parent = Path.GetDirectoryName(destination) ?? throw new InputException($"{option} '{path}': give a folder below the root");
        var name = Path.GetFileName(destination);
        RemoveStale(parent, name);
        var staging = Path.Combine(parent, $"{StagingPrefix(name)}{Guid.NewGuid().ToString("N")[..8]}{StagingSuffix}");
        try
        {
            Directory.CreateDirectory(staging);
            File.WriteAllText(Path.Combine(staging, OwnerFile), Owner.Current());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{option} '{path}': cannot write beside it ({e.Message})");
        }

        return new OutputFolder(destination, staging);
    }

    /// <summary>The file in a staging folder that names the process writing it; removed before the move.</summary>
    internal const string OwnerFile = ".berth-owner";

    internal const string StagingSuffix = ".tmp";

    public string StagingPath(string fileName) => Path.Combine(Staging, fileName);

    internal static string StagingPrefix(string name) => $".{name}.berth-";

    /// <summary>
    /// Deletes staging folders for <paramref name="name"/> left by a run that was killed (SIGKILL, a power cut:
    /// nothing ran to clean up): those whose owner process is gone. A folder of a run still going is kept.
    /// </summary>
    internal static void RemoveStale(string parent, string name)
    {
        string[] candidates;
        try
        {
            candidates = Directory.Exists(parent) ? Directory.GetDirectories(parent, StagingPrefix(name) + "*" + StagingSuffix) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var folder in candidates)
        {
            try
            {
                var ownerPath = Path.Combine(folder, OwnerFile);
                var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath) : null;

                // Without an owner file the folder is either from an older Berth or one being created right now
                // (the file is written just after the folder): only the former is old.
                var stale = owner is null
                    ? DateTime.UtcNow - Directory.GetCreationTimeUtc(folder) > TimeSpan.FromHours(1)
                    : !Owner.IsAlive(owner);
                if (stale)
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: another run may be removing it at the same moment.
            }
        }
    }

    /// <summary>Moves the staged files into the destination, replacing files of the same name.</summary>
    public void Commit()
    {
        File.Delete(Path.Combine(Staging, OwnerFile));
        if (!Directory.Exists(Destination))
        {
            Directory.Move(Staging, Destination);
        }
        else
        {
            foreach (var file in Directory.GetFiles(Staging).Order(StringComparer.Ordinal))
            {
                File.Move(file, Path.Combine(Destination, Path.GetFileName(file)), overwrite: true);
            }

            Directory.Delete(Staging, recursive: true);
        }

        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Staging))
        {
            try
            {
                Directory.Delete(Staging, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover hidden staging folder is harmless and named as such.
            }
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Destination} (staging {Staging})");
}
