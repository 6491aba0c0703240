namespace Berth.Engine.Framework;

/// <summary>
/// What a <see cref="IKeyedScorePlugin"/> needs to know about one node to score it: a number and a bit set whose
/// meaning belongs to the plugin (for the default policy, the integer FGD score and the typical types the placement
/// would leave the node unable to host). Nodes with equal keys score the same.
/// </summary>
public readonly record struct ScoreKey(double Value, ulong Bits);
