namespace Berth.Model.Gpus;

/// <summary>
/// Where one GPU sits inside its node: its NVLink (or NVSwitch) island, its PCIe switch and its NUMA node, each an id
/// local to the node. GPUs with the same island id talk over NVLink; the same PCIe switch id, peer-to-peer over PCIe.
/// </summary>
public readonly record struct GpuLocation(int Island, int PcieSwitch, int Numa);
