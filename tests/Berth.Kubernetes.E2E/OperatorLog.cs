using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.E2E;

/// <summary>
/// Keeps the in-process operator's last log lines, so that a test that times out can show what the operator
/// did; also appends them to <see cref="ClusterEnvironment.OperatorLogFile"/> when set. Thread-safe.
/// </summary>
internal sealed class OperatorLog : ILoggerProvider
{
    private const int Keep = 400;
    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();
    private readonly StreamWriter? _file;

    public OperatorLog(string? file)
    {
        if (file is not null)
        {
            _file = new StreamWriter(file, append: true) { AutoFlush = true };
        }
    }

    public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

    /// <summary>The last <paramref name="count"/> lines, oldest first.</summary>
    public string Tail(int count = 40)
    {
        lock (_gate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
        }
    }

    private void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > Keep)
            {
                _lines.Dequeue();
            }

            _file?.WriteLine(line);
        }
    }

    private sealed class Writer(OperatorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var text = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}");
            log.Add(exception is null ? text : text + "\n  " + exception.GetType().Name + ": " + exception.Message);
        }
    }
}
