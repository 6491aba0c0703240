namespace Berth.Engine.Framework;

/// <summary>A filter reason and the number of nodes it ruled out.</summary>
public sealed record ReasonCount(string Reason, int Nodes);
