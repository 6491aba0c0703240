using Berth.Server.Jobs;
using Microsoft.Data.Sqlite;

namespace Berth.Server.Store;

/// <summary>
/// The <c>runs</c> table, kept in step with the jobs by <see cref="ServerStore"/>: a run ends when a job that had
/// started loses its start (requeued, lost, drained, backed off) or becomes final; one begins when the job gets a new
/// start. Both are written in the job's own transaction, so a crash keeps both or neither. A run open at a crash
/// stays open until the restarted server re-adopts the job (it keeps running, so does the run) or finds it lost (that
/// change ends it). Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class RunTable(SqliteConnection db) : IDisposable
{
    private readonly SqliteCommand _open = Prepare(db, "INSERT INTO runs(job_seq, run, started, ended, gpus, nodes, outcome) SELECT $seq, COALESCE(MAX(run), 0) + 1, $started, $ended, $gpus, $nodes, $outcome FROM runs WHERE job_seq=$seq", "$seq", "$started", "$ended", "$gpus", "$nodes", "$outcome");
    private readonly SqliteCommand _close = Prepare(db, "UPDATE runs SET ended=$ended, outcome=$outcome WHERE job_seq=$seq AND ended IS NULL", "$ended", "$outcome", "$seq");

    /// <summary>Writes the run changes of <paramref name="update"/> in <paramref name="tx"/>.</summary>
    public void Write(SqliteTransaction tx, JobUpdate update)
    {
        var (before, next) = (update.Expected, update.Next);
        if (before.State.IsFinal())
        {
            return;
        }

        var restarted = next.StartedAt != before.StartedAt;
        if (before.StartedAt is { } previous && (restarted || next.State.IsFinal()))
        {
            // Ended when its change happened: the final state's finish, else the change's event (every requeue has one).
            var ended = next.State.IsFinal() && next.FinishedAt is { } finished ? finished : update.Events.Count > 0 ? update.Events.Max(e => e.At) : next.FinishedAt ?? previous;
            Run(_close, tx, Math.Max(ended.UtcTicks, previous.UtcTicks), OutcomeOf(update), next.Seq);
        }

        if (restarted && next.StartedAt is { } started)
        {
            var final = next.State.IsFinal();
            var nodes = string.Join(',', next.Bindings.Select(b => b.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            Run(_open, tx, next.Seq, started.UtcTicks, final ? Math.Max((next.FinishedAt ?? started).UtcTicks, started.UtcTicks) : null, next.GpusRequested, nodes, final ? OutcomeOf(update) : null);
        }
    }

    /// <summary>The runs of the job <paramref name="seq"/>, first first.</summary>
    public List<JobRun> Of(long seq) => Read("job_seq=$a ORDER BY run", seq, null);

    /// <summary>Every run that overlaps [<paramref name="from"/>, <paramref name="to"/>), open ones included.</summary>
    public List<JobRun> Overlapping(DateTimeOffset from, DateTimeOffset to) =>
        Read("started < $a AND (ended IS NULL OR ended > $b) ORDER BY job_seq, run", to.UtcTicks, from.UtcTicks);

    public void Dispose()
    {
        _open.Dispose();
        _close.Dispose();
    }

    private List<JobRun> Read(string where, long a, long? b)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT job_seq, run, started, ended, gpus, nodes, outcome FROM runs WHERE " + where;
        cmd.Parameters.AddWithValue("$a", a);
        if (b is { } second)
        {
            cmd.Parameters.AddWithValue("$b", second);
        }

        using var reader = cmd.ExecuteReader();
        var list = new List<JobRun>();
        while (reader.Read())
        {
            list.Add(new JobRun(
                reader.GetInt64(0),
                reader.GetInt32(1),
                Time(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : Time(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return list;
    }

    private static string OutcomeOf(JobUpdate update) =>
        update.Next.State.IsFinal() ? update.Next.State.ToString() : update.Events.Count > 0 ? update.Events[^1].Kind : update.Next.State.ToString();

    private static SqliteCommand Prepare(SqliteConnection db, string sql, params string[] parameters)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        cmd.Prepare();
        return cmd;
    }

    private static void Run(SqliteCommand cmd, SqliteTransaction tx, params object?[] values)
    {
        cmd.Transaction = tx;
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        cmd.ExecuteNonQuery();
    }

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);
}
