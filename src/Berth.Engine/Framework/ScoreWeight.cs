namespace Berth.Engine.Framework;

/// <summary>A score plugin in a profile and the weight of its score in the node's total.</summary>
public sealed record ScoreWeight(string Plugin, double Weight = 1);
