using System.Net;
using Berth.Server.Jobs;
using Berth.Server.Store;
using Microsoft.Data.Sqlite;

namespace Berth.Server.Tests;

public class RestartTests
{
    [Fact]
    public async Task Restart_KeepsEveryJobOnce_RunningKeepItsGpus_PendingKeepItsPlace()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        var running = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            waiting.Add((await h.SubmitOkAsync(ServerHarness.Job(gpus: 2))).Id);
        }

        h.Cycle();
        var before = h.Server.Store.All();
        var bindings = h.Server.Store.Find(running.Id)!.Bindings;
        var positions = waiting.Select(id => h.Server.Loop.Pending[id].Position).ToArray();
        var token = h.AdminToken;

        await h.RestartAsync();
        Assert.Null(h.Server.AdminToken); // made once, on first start
        Assert.Equal(token, h.AdminToken);
        var after = h.Server.Store.All();
        Assert.Equal(before.Select(j => (j.Id, j.State, j.Created)), after.Select(j => (j.Id, j.State, j.Created)));
        Assert.Equal(bindings, h.Server.Store.Find(running.Id)!.Bindings);
        Assert.Equal(positions, waiting.Select(id => h.Server.Loop.Pending[id].Position).ToArray());
        Assert.True(h.Server.Loop.Ready);

        // And it goes on from there: the running job ends on time, the next ones start, no GPU twice.
        h.Time.Advance(10 * 60);
        h.Cycle();
        Assert.Equal(JobState.Succeeded, h.Server.Store.Find(running.Id)!.State);
        Assert.Equal(JobState.Running, h.Server.Store.Find(waiting[0])!.State);
        Assert.All(h.GpuHolds().Values, milli => Assert.True(milli <= 1000));
    }

    [Fact]
    public void Store_RefusesASecondServerOnTheSameDataDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
        var config = ServerHarness.SmallCluster().Configuration;
        using (var first = ServerStore.Open(dir, config))
        {
            var e = Assert.Throws<StoreException>(() => ServerStore.Open(dir, config));
            Assert.Contains("another berth serve", e.Message, StringComparison.Ordinal);
        }

        using var again = ServerStore.Open(dir, config); // free once the first is closed
        Assert.Equal(0, again.Count);
    }

    [Fact]
    public async Task Restart_KeepsIdempotencyKeys()
    {
        await using var h = await ServerHarness.StartAsync();
        var first = await h.SubmitOkAsync(ServerHarness.Job(), key: "k-1");
        await h.RestartAsync();
        using var retry = await h.SubmitAsync(ServerHarness.Job(), key: "k-1");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(1, h.Server.Store.Count);
        Assert.Equal(first.Id, h.Server.Store.All().Single().Id);
    }

    [Fact]
    public async Task Store_RecordsItsSchemaVersion_AndRefusesANewerOne()
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-server-tests", Guid.NewGuid().ToString("N"));
        var config = ServerHarness.SmallCluster().Configuration;
        using (var store = ServerStore.Open(dir, config))
        {
            Assert.Equal(Migrations.Latest, store.SchemaVersion);
        }

        using (var db = new SqliteConnection($"Data Source={Path.Combine(dir, ServerStore.FileName)};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"INSERT INTO schema_version(version, applied_at) VALUES({Migrations.Latest + 1}, 'future')";
            cmd.ExecuteNonQuery();
        }

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(dir, config));
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }
}
