using System.Globalization;
using Berth.Kubernetes.Tests.Scale;

namespace Berth.Benchmarks;

/// <summary>
/// Berth on Kubernetes at scale, against the in-process fake API server (one process: server, client and controller share the cores):
/// <c>scenario k8s-bind [--nodes 1000] [--gangs 625] [--gang-size 8] [--queues 10] [--parallel 16]</c> binds gangs end to end and reports pods per second;
/// <c>scenario k8s-restart [--nodes 5000] [--pods 50000] [--pending 100] [--interrupted 10] [--queues 20]</c> times a fresh controller to its first decision.
/// </summary>
internal static class KubernetesScale
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Bind(BindScenarioOptions options)
    {
        var r = BindScenario.RunAsync(options, Console.Error.WriteLine).GetAwaiter().GetResult();
        Console.WriteLine(string.Create(Inv, $"scenario k8s-bind: {r.Pods} pods in {options.Gangs} gangs of {options.GangSize} on {options.Nodes} nodes, {options.Queues} queues; {Environment.ProcessorCount} cores"));
        Console.WriteLine(string.Create(Inv, $"end to end: {r.Bound}/{r.Pods} bound in {r.Seconds:F2} s = {r.PodsPerSecond:F0} pods/s ({r.Cycles} decisions completed when the last binding landed; cache had {r.PodsInCacheAtStart} pods when the clock started; seeding took {r.SeedSeconds:F2} s)"));
        Console.WriteLine(string.Create(Inv, $"planner alone (warm, best of 3, all {r.Pods} pending): {r.PlanSeconds * 1000:F0} ms for {r.PlannedBindings} bindings = {r.PlannedBindings / r.PlanSeconds:F0} pods/s"));
        Console.WriteLine(string.Create(Inv, $"fake server + client alone: {r.ServerAloneSequentialPodsPerSecond:F0} bindings/s one at a time, {r.ServerAloneParallelPodsPerSecond:F0} bindings/s {options.ServerAloneParallelism} at once"));
        Console.WriteLine(string.Create(Inv, $"target >= 1000 pods/s: {(r.PodsPerSecond >= 1000 ? "met" : "missed")} ({r.PodsPerSecond / 1000:F2}x)"));
        return Report(r.Problems);
    }

    public static int Restart(RestartScenarioOptions options)
    {
        var r = RestartScenario.RunAsync(options, Console.Error.WriteLine).GetAwaiter().GetResult();
        Console.WriteLine(string.Create(Inv, $"scenario k8s-restart: {r.Nodes} nodes, {r.Pods} pods ({r.BoundAtStart} bound), {options.PendingGangs} pending and {options.InterruptedGangs} half-bound gangs of {options.GangSize}; {Environment.ProcessorCount} cores; seeding took {r.SeedSeconds:F1} s"));
        Console.WriteLine(string.Create(Inv, $"fresh controller: cache listed in {r.SyncSeconds:F2} s; first decision done at {r.FirstDecisionSeconds:F2} s ({r.Bindings} bindings of {r.ExpectedBindings} expected, {r.Writes} writes, {r.Warnings} warnings)"));
        Console.WriteLine(string.Create(Inv, $"planner alone on the same state (warm, best of 3): {r.PlanSeconds * 1000:F0} ms"));
        Console.WriteLine(string.Create(Inv, $"target < 10 s: {(r.FirstDecisionSeconds < 10 ? "met" : "missed")} ({r.FirstDecisionSeconds / 10:F2} of the budget)"));
        foreach (var warning in r.WarningSamples)
        {
            Console.WriteLine($"warning: {warning}");
        }

        return Report(r.Problems);
    }

    private static int Report(IReadOnlyList<string> problems)
    {
        foreach (var problem in problems.Take(20))
        {
            Console.WriteLine($"PROBLEM: {problem}");
        }

        Console.WriteLine(problems.Count == 0 ? "checks: passed" : $"checks: {problems.Count} failed");
        return problems.Count == 0 ? 0 : 1;
    }
}
