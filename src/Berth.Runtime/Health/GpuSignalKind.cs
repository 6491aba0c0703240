namespace Berth.Runtime.Health;

/// <summary>How a GPU error signal says that something went wrong.</summary>
public enum GpuSignalKind
{
    /// <summary>A count of errors (uncorrectable ECC errors, NVLink CRC errors): a rise is a new error; a fall is a reset, not an error.</summary>
    Counter,

    /// <summary>The code of the last error (an XID): a new non-zero code is a new error.</summary>
    Code,

    /// <summary>A state (row remapping failed): non-zero is an error for as long as it lasts.</summary>
    Flag,
}
