using Berth.Server.Access;
using Berth.Server.Executors;
using Berth.Server.Loop;
using Berth.Server.Store;

namespace Berth.Server;

/// <summary>The parts of one running server that the API's handlers use; one instance per server, registered as a singleton.</summary>
public sealed record ServerContext(ServerStore Store, DecisionLoop Loop, TokenRegistry Tokens, ServerCluster Cluster, TimeProvider Time, IExecutor Executor, ServerMetrics Metrics)
{
    /// <summary>The data directory (logs of local jobs live under it).</summary>
    public string DataDirectory { get; init; } = string.Empty;

    /// <summary>The price of a GPU-hour per GPU model (usage reports); null: none configured.</summary>
    public Berth.Runtime.Yield.PriceTable? Prices { get; init; }

    /// <summary>What the server noticed when it started (queue edits that no longer apply).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
