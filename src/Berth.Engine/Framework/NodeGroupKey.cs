namespace Berth.Engine.Framework;

/// <summary>What makes feasible nodes alike for one pod shape: the key of the profile's score and of its tie-break score.</summary>
internal readonly record struct NodeGroupKey(ScoreKey Score, ScoreKey Tie);
