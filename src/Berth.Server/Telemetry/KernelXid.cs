namespace Berth.Server.Telemetry;

/// <summary>One XID the NVIDIA driver wrote to the kernel log: when, on which GPU (its PCI bus id), which code, the line itself.</summary>
/// <param name="At">The line's timestamp.</param>
/// <param name="Bus">The GPU's PCI address as <see cref="KernelLogXids.Bus"/> normalizes it (<c>0000:3b:00</c>).</param>
/// <param name="Code">The XID number.</param>
/// <param name="Line">The line, for messages.</param>
public sealed record KernelXid(DateTimeOffset At, string Bus, int Code, string Line);
