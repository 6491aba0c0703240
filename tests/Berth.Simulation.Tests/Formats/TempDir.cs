namespace Berth.Simulation.Tests.Formats;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    private static int _counter;

    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"berth-formats-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        var file = File(name);
        System.IO.File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("BERTH_KEEP_TEMP") is null)
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
