namespace Berth.Server.Api;

/// <summary>Quota of a queue in one flavor for one resource (GPUs, CPU cores, memory bytes): nominal and used now.</summary>
public sealed record QuotaView(string Flavor, string Resource, double Nominal, double Used);
