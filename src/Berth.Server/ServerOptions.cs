using System.Net;
using Berth.Runtime.Cycle;
using Berth.Server.Loop;

namespace Berth.Server;

/// <summary>How <c>berth serve</c> runs: where its data lives, what it schedules onto, where it listens, how fast its clock goes.</summary>
public sealed record ServerOptions
{
    /// <summary>Holds <c>berth.db</c> (SQLite, WAL) and <c>admin.token</c>.</summary>
    public required string DataDirectory { get; init; }

    public required ServerCluster Cluster { get; init; }

    /// <summary>Loopback unless told otherwise: a fresh server is not on the network.</summary>
    public IPAddress Listen { get; init; } = IPAddress.Loopback;

    /// <summary>0: any free port (tests); see <see cref="BerthServer.Url"/>.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>With a certificate (and its private key), Kestrel serves HTTPS only; null: plain HTTP (loopback by default).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    /// <summary>The server's clock runs this many times faster than real time (simulated jobs finish sooner).</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>
    /// The clock to use instead of the real one scaled by <see cref="TimeScale"/> (tests pass a manual clock).
    /// </summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Real time between decision cycles when nothing wakes the loop; null: no background loop (tests run cycles one by one).</summary>
    public TimeSpan? CycleInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Least real time between two cycles, however often the loop is woken.</summary>
    public TimeSpan CycleGap { get; init; } = TimeSpan.FromMilliseconds(100);

    public CycleOptions Cycle { get; init; } = new(Berth.Engine.Admission.AdmissionOptions.Default, PodsReadyTimeout: null);

    /// <summary>With a value, a demo job is submitted this often (real time), as <c>berth serve --demo</c> does; null: none.</summary>
    public TimeSpan? DemoInterval { get; init; }

    /// <summary>
    /// With a machine, jobs run as processes on it (<see cref="Executors.LocalExecutor"/>) and must give a command;
    /// <see cref="Cluster"/> should be the machine's (<see cref="Executors.LocalMachine.Cluster"/>). Null: simulated nodes.
    /// </summary>
    public Executors.LocalMachine? LocalMachine { get; init; }

    /// <summary>
    /// With a <see cref="LocalMachine"/> that has GPUs: read them with nvidia-smi so that idle policies and GPU health
    /// act on measured activity and ECC errors. Null: no telemetry (activity unknown, every GPU healthy).
    /// </summary>
    public Telemetry.GpuTelemetryOptions? GpuTelemetry { get; init; }

    /// <summary>The price of a GPU-hour per GPU model, for usage reports (the configuration's <c>prices</c>); null: GPU-hours without costs.</summary>
    public Berth.Runtime.Yield.PriceTable? Prices { get; init; }

    /// <summary>How long a stopped local process has between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest request body taken; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 256 * 1024;

    /// <summary>Requests per second each token (or address, without one) may make, in bursts up to the same number.</summary>
    public int RequestsPerSecond { get; init; } = 10_000;
}
