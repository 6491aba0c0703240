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
        (2, """
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
