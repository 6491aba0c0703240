using System.Globalization;
using Berth.Simulation.Input;

namespace Berth.Cli.Running;

/// <summary>
/// Nothing half-written: files go into a hidden staging folder beside the destination and are moved into it
/// by <see cref="Commit"/>. Disposing without committing deletes the staging folder and leaves the destination
/// as it was. Files already in the destination that the command does not write are kept.
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
        var staging = Path.Combine(parent, $".{name}.berth-{Guid.NewGuid().ToString("N")[..8]}.tmp");
        try
        {
            Directory.CreateDirectory(staging);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{option} '{path}': cannot write beside it ({e.Message})");
        }

        return new OutputFolder(destination, staging);
    }

    public string StagingPath(string fileName) => Path.Combine(Staging, fileName);

    /// <summary>Moves the staged files into the destination, replacing files of the same name.</summary>
    public void Commit()
    {
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
