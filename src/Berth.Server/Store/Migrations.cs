namespace Berth.Server.Store;

/// <summary>
/// The store's schema, as numbered steps applied in order, each in its own transaction with its number recorded in
/// <c>schema_version</c>. A step once released never changes; a new one is added at the end. A database written by a
/// newer Berth (a version above <see cref="Latest"/>) is refused rather than guessed at.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> Steps =
    [
        (1, """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE jobs(
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                spec TEXT NOT NULL,
                state TEXT NOT NULL,
                created INTEGER NOT NULL,
                admitted_at INTEGER,
                started_at INTEGER,
                finished_at INTEGER,
                memo TEXT,
                bindings TEXT,
                requeues INTEGER NOT NULL DEFAULT 0,
                idempotency_key TEXT UNIQUE,
                message TEXT);
            CREATE TABLE events(
                id INTEGER PRIMARY KEY,
                job_seq INTEGER NOT NULL,
                at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                message TEXT NOT NULL);
            CREATE INDEX events_by_job ON events(job_seq);
            CREATE TABLE tokens(
                hash TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                queues TEXT NOT NULL,
                created INTEGER NOT NULL);
            """),

        // Every run of a job, for showback (a requeued job's earlier runs were lost before). A job's last run, as
        // version 1 kept it, becomes its run 1: open while it runs, ended at its finish once final.
        (2, """
            CREATE TABLE runs(
                job_seq INTEGER NOT NULL,
                run INTEGER NOT NULL,
                started INTEGER NOT NULL,
                ended INTEGER,
                gpus REAL,
                nodes TEXT NOT NULL,
                outcome TEXT,
                PRIMARY KEY(job_seq, run));
            CREATE INDEX runs_by_start ON runs(started);
            INSERT INTO runs(job_seq, run, started, ended, gpus, nodes, outcome)
                SELECT seq, 1, started_at,
                       CASE WHEN state IN ('Succeeded', 'Failed', 'Cancelled') THEN COALESCE(finished_at, started_at) END,
                       NULL, '',
                       CASE WHEN state IN ('Succeeded', 'Failed', 'Cancelled') THEN state END
                FROM jobs WHERE started_at IS NOT NULL;
            """),

        // Events of nodes (a GPU marked unhealthy by telemetry, and back in service).
        (3, """
            CREATE TABLE node_events(
                id INTEGER PRIMARY KEY,
                node TEXT NOT NULL,
                at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                message TEXT NOT NULL);
            CREATE INDEX node_events_by_node ON node_events(node);
            """),
    ];

    public static int Latest => Steps[^1].Version;
}
