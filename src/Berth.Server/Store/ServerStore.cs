using System.Globalization;
using System.Text.Json;
using Berth.Model.Queueing;
using Berth.Runtime.View;
using Berth.Server.Jobs;
using Microsoft.Data.Sqlite;

namespace Berth.Server.Store;

/// <summary>
/// The server's durable state in one SQLite database (WAL): jobs, their events and runs, tokens and a little metadata.
/// Every accepted change is committed before the method returns, so a reply never promises what a crash could
/// lose. The jobs are also held in memory (loaded at open, replaced on every change), which is what readers and
/// the decision loop see; events are read from the database on demand.
///
/// Thread-safety: every method may be called from any thread; one lock orders all writes and reads of the
/// in-memory jobs, so a reader sees a job before or after a change, never half of it.
/// </summary>
public sealed class ServerStore : IDisposable
{
    public const string FileName = "berth.db";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Lock _gate = new();
    private readonly SqliteConnection _db;
    private FileStream? _lock;
    private readonly QueueConfiguration _configuration;
    private readonly JobRules _rules;
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byKey = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, JobRecord> _bySeq = [];
    private readonly SqliteCommand _insertJob;
    private readonly SqliteCommand _updateJob;
    private readonly SqliteCommand _insertEvent;
    private readonly RunTable _runs;
    private long _nextSeq;
    private IReadOnlySet<string> _cordoned = new HashSet<string>(StringComparer.Ordinal);

    private ServerStore(SqliteConnection db, QueueConfiguration configuration, JobRules rules)
    {
        _db = db;
        _configuration = configuration;
        _rules = rules;
        _insertJob = Command("INSERT INTO jobs(seq, id, spec, state, created, requeues, idempotency_key) VALUES($seq, $id, $spec, $state, $created, 0, $key)", "$seq", "$id", "$spec", "$state", "$created", "$key");
        _updateJob = Command("UPDATE jobs SET state=$state, admitted_at=$admitted, started_at=$started, finished_at=$finished, memo=$memo, bindings=$bindings, requeues=$requeues, message=$message WHERE seq=$seq", "$state", "$admitted", "$started", "$finished", "$memo", "$bindings", "$requeues", "$message", "$seq");
        _insertEvent = Command("INSERT INTO events(job_seq, at, kind, message) VALUES($seq, $at, $kind, $message)", "$seq", "$at", "$kind", "$message");
        _runs = new RunTable(db);
    }

    /// <summary>Every committed change, as it is committed (the API streams it).</summary>
    public ChangeFeed Changes { get; } = new();

    /// <summary>Where the database lives.</summary>
    public required string Path { get; init; }

    /// <summary>Jobs whose stored spec no longer fits the configuration (a queue removed), with why; they are never admitted.</summary>
    public IReadOnlyDictionary<string, string> Problems { get; private init; } = new Dictionary<string, string>();

    /// <summary>
    /// Opens (or creates) the database in <paramref name="directory"/>, applies the migrations it lacks and loads
    /// every job. Jobs are checked against <paramref name="configuration"/> exactly as on submit.
    /// </summary>
    public static ServerStore Open(string directory, QueueConfiguration configuration) => Open(directory, configuration, JobRules.Simulated);

    public static ServerStore Open(string directory, QueueConfiguration configuration, JobRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(configuration);
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, FileName);

        // One server per data directory: two would both decide, and could give a GPU twice.
        FileStream dirLock;
        try
        {
            dirLock = new FileStream(System.IO.Path.Combine(directory, "berth.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreException($"another berth serve uses the data directory {directory} ({e.Message}); stop it, or give this one another --data", e);
        }

        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            db.Open();
            Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
            Migrate(db, path);
            var problems = new Dictionary<string, string>(StringComparer.Ordinal);
            var store = new ServerStore(db, configuration, rules) { Path = path, Problems = problems, _lock = dirLock };
            store.Load(problems);
            store._cordoned = (store.Meta(CordonedKey) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            return store;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            dirLock.Dispose();
            throw new StoreException($"the database {path} cannot be opened ({e.Message}); check that no other berth serve uses --data {directory}, or move the file away to start empty", e);
        }
        catch
        {
            db.Dispose();
            dirLock.Dispose();
            throw;
        }
    }

    private const string CordonedKey = "cordoned";

    /// <summary>Nodes an admin cordoned: nothing new is placed there (what runs there stays unless drained).</summary>
    public IReadOnlySet<string> Cordoned => Volatile.Read(ref _cordoned);

    /// <summary>Cordons or uncordons <paramref name="node"/>, committed before it returns.</summary>
    public void SetCordoned(string node, bool cordoned)
    {
        lock (_gate)
        {
            var next = new HashSet<string>(_cordoned, StringComparer.Ordinal);
            if (cordoned ? next.Add(node) : next.Remove(node))
            {
                SetMeta(CordonedKey, string.Join(',', next.Order(StringComparer.Ordinal)));
                Volatile.Write(ref _cordoned, next);
            }
        }
    }

    /// <summary>The schema version of the open database.</summary>
    public int SchemaVersion
    {
        get
        {
            lock (_gate)
            {
                return Convert.ToInt32(Scalar(_db, "SELECT MAX(version) FROM schema_version"), CultureInfo.InvariantCulture);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _jobs.Count;
            }
        }
    }

    public JobRecord? Find(string id)
    {
        lock (_gate)
        {
            return _jobs.GetValueOrDefault(id);
        }
    }

    /// <summary>Every job in submit order (a copy: later changes do not show in it).</summary>
    public IReadOnlyList<JobRecord> All()
    {
        lock (_gate)
        {
            return [.. _bySeq.Values];
        }
    }

    /// <summary>Jobs still waiting or running, in submit order: what the decision loop looks at.</summary>
    public IReadOnlyList<JobRecord> Active()
    {
        lock (_gate)
        {
            return _bySeq.Values.Where(j => !j.State.IsFinal()).ToArray();
        }
    }

    /// <summary>
    /// Accepts a job: checks it (throws <see cref="JobSpecException"/>, writing nothing), then commits it and its
    /// Submitted event. With an <paramref name="idempotencyKey"/> already used, returns that job and writes nothing.
    /// </summary>
    public (JobRecord Job, bool Replayed) Submit(JobSpec spec, string? idempotencyKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_gate)
        {
            if (idempotencyKey is not null && _byKey.TryGetValue(idempotencyKey, out var existing))
            {
                return (_jobs[existing], true);
            }

            var seq = _nextSeq + 1;
            var id = IdOf(seq);
            var workload = JobValidation.Build(id, spec, _configuration, _rules);
            var job = new JobRecord { Seq = seq, Id = id, Spec = spec, Workload = workload, State = JobState.Pending, Created = now, IdempotencyKey = idempotencyKey };
            var submitted = new JobEvent(now, "Submitted", string.Create(CultureInfo.InvariantCulture, $"submitted to queue {workload.Queue} ({job.GpusRequested:0.###} GPUs in {workload.PodCount} pods)"));
            using (var tx = _db.BeginTransaction())
            {
                _insertJob.Transaction = tx;
                Set(_insertJob, seq, id, JsonSerializer.Serialize(spec, Json), nameof(JobState.Pending), now.UtcTicks, idempotencyKey);
                _insertJob.ExecuteNonQuery();
                WriteEvent(tx, seq, submitted);
                tx.Commit();
            }

            _nextSeq = seq;
            Remember(job);
            Changes.Publish(job, submitted);
            return (job, false);
        }
    }

    /// <summary>
    /// Applies <paramref name="updates"/> in one transaction, each only when its job still is the record it
    /// expects. Returns the updates applied.
    /// </summary>
    public IReadOnlyList<JobUpdate> Apply(IReadOnlyList<JobUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var applied = new List<JobUpdate>(updates.Count);
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            foreach (var update in updates)
            {
                if (!ReferenceEquals(_jobs.GetValueOrDefault(update.Next.Id), update.Expected))
                {
                    continue; // changed meanwhile (cancelled, held, or by an earlier update of this batch)
                }

                WriteJob(tx, update.Next);
                _runs.Write(tx, update);
                foreach (var e in update.Events)
                {
                    WriteEvent(tx, update.Next.Seq, e);
                }

                _jobs[update.Next.Id] = update.Next;
                _bySeq[update.Next.Seq] = update.Next;
                applied.Add(update);
            }

            tx.Commit();
            foreach (var update in applied)
            {
                foreach (var e in update.Events)
                {
                    Changes.Publish(update.Next, e);
                }
            }
        }

        return applied;
    }

    /// <summary>
    /// Changes one job by <paramref name="change"/> (which may refuse, changing nothing), committed with its event
    /// before it returns. Null: no such job.
    /// </summary>
    public JobChange? Change(string id, Func<JobRecord, JobChange> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out var job))
            {
                return null;
            }

            var result = change(job);
            if (result.Next is { } next)
            {
                Apply([new JobUpdate(job, next, result.Event is { } e ? [e] : [])]);
            }

            return result;
        }
    }

    /// <summary>Records what happened to a node (a GPU that went unhealthy or recovered), committed before it returns.</summary>
    public void AddNodeEvent(string node, JobEvent e)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO node_events(node, at, kind, message) VALUES($node, $at, $kind, $message)";
            cmd.Parameters.AddWithValue("$node", node);
            cmd.Parameters.AddWithValue("$at", e.At.UtcTicks);
            cmd.Parameters.AddWithValue("$kind", e.Kind);
            cmd.Parameters.AddWithValue("$message", e.Message);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The latest <paramref name="limit"/> events of a node, oldest first.</summary>
    public IReadOnlyList<JobEvent> NodeEvents(string node, int limit = 100)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT at, kind, message FROM (SELECT id, at, kind, message FROM node_events WHERE node=$node ORDER BY id DESC LIMIT $limit) ORDER BY id";
            cmd.Parameters.AddWithValue("$node", node);
            cmd.Parameters.AddWithValue("$limit", limit);
            using var reader = cmd.ExecuteReader();
            var list = new List<JobEvent>();
            while (reader.Read())
            {
                list.Add(new JobEvent(Time(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2)));
            }

            return list;
        }
    }

    /// <summary>The events of a job, oldest first.</summary>
    public IReadOnlyList<JobEvent> Events(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT at, kind, message FROM events WHERE job_seq=$seq ORDER BY id";
            cmd.Parameters.AddWithValue("$seq", job.Seq);
            using var reader = cmd.ExecuteReader();
            var list = new List<JobEvent>();
            while (reader.Read())
            {
                list.Add(new JobEvent(Time(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2)));
            }

            return list;
        }
    }

    /// <summary>The runs of a job, first first.</summary>
    public IReadOnlyList<JobRun> Runs(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            return _runs.Of(job.Seq);
        }
    }

    /// <summary>Every run that overlaps [<paramref name="from"/>, <paramref name="to"/>) (open runs included), by job then run.</summary>
    public IReadOnlyList<JobRun> Runs(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return _runs.Overlapping(from, to);
        }
    }

    public string? Meta(string key)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT value FROM meta WHERE key=$key";
            cmd.Parameters.AddWithValue("$key", key);
            return cmd.ExecuteScalar() as string;
        }
    }

    public void SetMeta(string key, string value)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES($key, $value) ON CONFLICT(key) DO UPDATE SET value=excluded.value";
            cmd.Parameters.AddWithValue("$key", key);
            cmd.Parameters.AddWithValue("$value", value);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Stored tokens: hash, name, role, queues (comma-separated).</summary>
    public IReadOnlyList<(string Hash, string Name, string Role, string Queues)> Tokens()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT hash, name, role, queues FROM tokens ORDER BY created, hash";
            using var reader = cmd.ExecuteReader();
            var list = new List<(string, string, string, string)>();
            while (reader.Read())
            {
                list.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }

            return list;
        }
    }

    public void AddToken(string hash, string name, string role, string queues, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO tokens(hash, name, role, queues, created) VALUES($hash, $name, $role, $queues, $created)";
            cmd.Parameters.AddWithValue("$hash", hash);
            cmd.Parameters.AddWithValue("$name", name);
            cmd.Parameters.AddWithValue("$role", role);
            cmd.Parameters.AddWithValue("$queues", queues);
            cmd.Parameters.AddWithValue("$created", now.UtcTicks);
            cmd.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _insertJob.Dispose();
            _updateJob.Dispose();
            _insertEvent.Dispose();
            _runs.Dispose();
            _db.Dispose();
            _lock?.Dispose();
        }
    }

    public static string IdOf(long seq) => "j-" + seq.ToString(CultureInfo.InvariantCulture);

    private void Remember(JobRecord job)
    {
        _jobs[job.Id] = job;
        _bySeq[job.Seq] = job;
        if (job.IdempotencyKey is { } key)
        {
            _byKey[key] = job.Id;
        }
    }

    private void WriteJob(SqliteTransaction tx, JobRecord job)
    {
        _updateJob.Transaction = tx;
        Set(
            _updateJob,
            job.State.ToString(),
            job.AdmittedAt?.UtcTicks,
            job.StartedAt?.UtcTicks,
            job.FinishedAt?.UtcTicks,
            job.Memo is null ? null : JsonSerializer.Serialize(job.Memo, Json),
            job.Bindings.Count == 0 ? null : JsonSerializer.Serialize(job.Bindings, Json),
            job.Requeues,
            job.Message,
            job.Seq);
        _updateJob.ExecuteNonQuery();
    }

    private void WriteEvent(SqliteTransaction tx, long seq, JobEvent e)
    {
        _insertEvent.Transaction = tx;
        Set(_insertEvent, seq, e.At.UtcTicks, e.Kind, e.Message);
        _insertEvent.ExecuteNonQuery();
    }

    private void Load(Dictionary<string, string> problems)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT seq, id, spec, state, created, admitted_at, started_at, finished_at, memo, bindings, requeues, idempotency_key, message FROM jobs ORDER BY seq";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            var id = reader.GetString(1);
            var spec = JsonSerializer.Deserialize<JobSpec>(reader.GetString(2), Json)!;
            var state = Enum.Parse<JobState>(reader.GetString(3));
            var created = Time(reader.GetInt64(4));
            Workload workload;
            try
            {
                workload = JobValidation.Build(id, spec, _configuration, _rules);
            }
            catch (JobSpecException e)
            {
                // The configuration changed under a stored job (its queue removed): it stays, never admitted, and says why.
                problems[id] = $"the server's configuration no longer accepts it: {e.Message}";
                workload = new Workload(id) { Queue = spec.Queue ?? string.Empty };
            }

            Remember(new JobRecord
            {
                Seq = seq,
                Id = id,
                Spec = spec,
                Workload = workload,
                State = state,
                Created = created,
                AdmittedAt = reader.IsDBNull(5) ? null : Time(reader.GetInt64(5)),
                StartedAt = reader.IsDBNull(6) ? null : Time(reader.GetInt64(6)),
                FinishedAt = reader.IsDBNull(7) ? null : Time(reader.GetInt64(7)),
                Memo = reader.IsDBNull(8) ? null : JsonSerializer.Deserialize<AdmissionMemo>(reader.GetString(8), Json),
                Bindings = reader.IsDBNull(9) ? [] : JsonSerializer.Deserialize<PodBinding[]>(reader.GetString(9), Json)!,
                Requeues = reader.GetInt32(10),
                IdempotencyKey = reader.IsDBNull(11) ? null : reader.GetString(11),
                Message = reader.IsDBNull(12) ? null : reader.GetString(12),
            });
            _nextSeq = Math.Max(_nextSeq, seq);
        }
    }

    private static void Migrate(SqliteConnection db, string path)
    {
        Exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        var current = Scalar(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version") is long v ? (int)v : 0;
        if (current > Migrations.Latest)
        {
            throw new StoreException($"the database {path} has schema version {current}, newer than this berth knows ({Migrations.Latest}); run a newer berth, or start with another --data directory");
        }

        foreach (var (version, sql) in Migrations.Steps.Where(s => s.Version > current))
        {
            using var tx = db.BeginTransaction();
            using (var cmd = db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                cmd.ExecuteNonQuery();
                cmd.CommandText = "INSERT INTO schema_version(version, applied_at) VALUES($v, $at)";
                cmd.Parameters.AddWithValue("$v", version);
                cmd.Parameters.AddWithValue("$at", version.ToString(CultureInfo.InvariantCulture));
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        cmd.Prepare();
        return cmd;
    }

    private static void Set(SqliteCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
