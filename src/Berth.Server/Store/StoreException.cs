namespace Berth.Server.Store;

/// <summary>The data directory cannot be used (a newer schema, a locked or damaged database); the message says what to do.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
