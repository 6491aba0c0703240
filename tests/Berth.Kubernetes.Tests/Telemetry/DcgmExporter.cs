namespace Berth.Kubernetes.Tests.Telemetry;

/// <summary>
/// What NVIDIA's DCGM exporter serves on <c>/metrics</c> (Prometheus text format, with its <c># HELP</c> and
/// <c># TYPE</c> lines and its Kubernetes labels), for two pods: <c>ml/train-0</c> on one nearly idle GPU and
/// <c>ml/train-1</c> on two busy ones; GPU 1 reports XID 79 (fallen off the bus), the others no error.
/// docs/FORMATS.md shows the same sample.
/// </summary>
internal static class DcgmExporter
{
    public const string Metrics = """
        # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
        # TYPE DCGM_FI_DEV_GPU_UTIL gauge
        DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000000",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-0"} 2
        DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000001",device="nvidia1",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-1"} 85
        DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000002",device="nvidia2",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-1"} 95
        # HELP DCGM_FI_PROF_GR_ENGINE_ACTIVE Ratio of time the graphics engine is active.
        # TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge
        DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000000",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-0"} 0.020000
        DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="1",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000001",device="nvidia1",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-1"} 0.800000
        DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="2",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000002",device="nvidia2",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-1"} 1.000000
        # HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).
        # TYPE DCGM_FI_DEV_FB_USED gauge
        DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000000",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-0"} 1024
        # HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.
        # TYPE DCGM_FI_DEV_XID_ERRORS gauge
        DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000000",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-0"} 0
        DCGM_FI_DEV_XID_ERRORS{gpu="1",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000001",device="nvidia1",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-1"} 79
        DCGM_FI_DEV_XID_ERRORS{gpu="2",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000002",device="nvidia2",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-1"} 0
        # HELP DCGM_FI_DEV_ECC_DBE_VOL_TOTAL Total number of double-bit volatile ECC errors.
        # TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL counter
        DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-5a1c0d6e-0000-4f3a-9d7e-000000000000",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-00",container="main",namespace="ml",pod="train-0"} 0

        """;
}
