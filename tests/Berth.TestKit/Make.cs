using Berth.Model;

namespace Berth.TestKit;

/// <summary>Entry point of the fluent builders: <c>Make.Node("n1").Gpus(8, "A100").Build()</c>.</summary>
public static class Make
{
    public static NodeBuilder Node(string name) => new(name);

    public static PodBuilder Pod(string name) => new(name);

    public static WorkloadBuilder Workload(string id) => new(id);

    public static QueueBuilder Queue(string name) => new(name);
}
