namespace Berth.Kubernetes.Dra;

/// <summary>
/// One request of a claim ready to match devices: its class's selectors then its own, all of which a device must pass;
/// <see cref="All"/> asks for every matching device on the node, else <see cref="Count"/> of them.
/// </summary>
internal sealed record PreparedRequest(string Name, string Where, bool All, int Count, IReadOnlyList<CompiledSelector> Selectors);
