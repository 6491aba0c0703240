using Berth.Simulation.Metrics;

namespace Berth.Cli.Running;

/// <summary>
/// Progress of a set of runs, written by the worker threads and read by the display thread: per run, the
/// pods (or events) done and in total, and its state. Reads are racy by design and only ever shown.
/// </summary>
public sealed class RunProgress
{
    private readonly int[] _done;
    private readonly int[] _total;
    private readonly int[] _state;
    private readonly RunResult?[] _results;
    private int _finished;

    public RunProgress(int runs)
    {
        _done = new int[runs];
        _total = new int[runs];
        _state = new int[runs];
        _results = new RunResult?[runs];
    }

    public int Runs => _done.Length;

    public int Finished => Volatile.Read(ref _finished);

    public void Started(int run) => Volatile.Write(ref _state[run], 1);

    public void Report(int run, int done, int total)
    {
        Volatile.Write(ref _total[run], total);
        Volatile.Write(ref _done[run], done);
    }

    public void Completed(int run, RunResult result)
    {
        Volatile.Write(ref _results[run], result);
        Volatile.Write(ref _state[run], 2);
        Interlocked.Increment(ref _finished);
    }

    public bool IsRunning(int run) => Volatile.Read(ref _state[run]) == 1;

    public bool IsCompleted(int run) => Volatile.Read(ref _state[run]) == 2;

    /// <summary>The result of a completed run; null before.</summary>
    public RunResult? Result(int run) => Volatile.Read(ref _results[run]);

    /// <summary>Share of one run done, 0..1.</summary>
    public double Fraction(int run)
    {
        if (IsCompleted(run))
        {
            return 1;
        }

        var total = Volatile.Read(ref _total[run]);
        return total > 0 ? Math.Clamp((double)Volatile.Read(ref _done[run]) / total, 0, 1) : 0;
    }

    /// <summary>Share of all runs done, 0..1, each run counting equally.</summary>
    public double Overall()
    {
        double sum = 0;
        for (var i = 0; i < Runs; i++)
        {
            sum += Fraction(i);
        }

        return Runs == 0 ? 1 : sum / Runs;
    }
}
