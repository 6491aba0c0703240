using Berth.Simulation.Input;

namespace Berth.Cli.Running;

/// <summary>One run to make: a trace, a policy, a seed.</summary>
public sealed record RunSpec(SimulationInput Input, string Policy, int Seed)
{
    public string Label => $"{Input.Name} · {Policy} · seed {Seed}";
}
