using System.CommandLine;
using System.Globalization;
using Berth.Cli.Running;
using Berth.Simulation.Formats;
using Berth.Simulation.Generation;
using Berth.Simulation.Input;

namespace Berth.Cli.Commands;

/// <summary><c>berth generate</c>: writes a generated cluster and workload as Berth files, staged like every output.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliTerminal terminal)
    {
        var defaults = new GeneratorOptions();
        var outOption = new Option<string?>("--out", "-o") { Description = "Folder to write cluster.<format> and workload.<format> into; created if missing.", HelpName = "dir" };
        var nodes = new Option<int>("--nodes") { Description = "Number of nodes.", DefaultValueFactory = _ => defaults.Nodes, HelpName = "n" };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice; the same seed gives the same files.", DefaultValueFactory = _ => 42, HelpName = "seed" };
        var target = new Option<double>("--target") { Description = "GPU demand of the workload, in % of the cluster's GPU capacity.", DefaultValueFactory = _ => defaults.TargetPercent, HelpName = "percent" };
        var format = new Option<string>("--format") { Description = "File format.", DefaultValueFactory = _ => "yaml", HelpName = "yaml|json" };
        format.AcceptOnlyFromAmong("yaml", "json");
        var command = new Command("generate", "Generate a production-shaped GPU cluster and an openb-shaped workload as Berth files (cluster.yaml, workload.yaml) to edit or simulate.")
        {
            outOption, nodes, seed, target, format,
        };
        command.SetAction(parse =>
        {
            var outPath = parse.GetValue(outOption) ?? throw new InputException("--out is required: the folder to write cluster and workload files into (e.g. --out scenario)");
            // The options are checked here, by their names on the command line; the generator's own check
            // (which names its properties) is then only a safety net.
            var nodeCount = parse.GetValue(nodes);
            if (nodeCount < 1)
            {
                throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--nodes {nodeCount}: generate at least 1 node, e.g. --nodes 100"));
            }

            var targetPercent = parse.GetValue(target);
            if (!(targetPercent is >= 0 and <= 100_000))
            {
                throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--target {targetPercent}: give the workload's GPU demand as a percentage of the cluster's GPUs between 0 and 100000, e.g. --target 130"));
            }

            var options = defaults with { Nodes = nodeCount, Seed = parse.GetValue(seed), TargetPercent = targetPercent };
            options.Validate();
            var extension = parse.GetValue(format) == "json" ? ".json" : ".yaml";
            var input = WorkloadGenerator.Generate(options);
            using var output = OutputFolder.Create(outPath);
            BerthFormat.WriteCluster(output.StagingPath("cluster" + extension), input.Nodes);
            BerthFormat.WriteWorkload(output.StagingPath("workload" + extension), input.Pods);
            output.Commit();
            terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote cluster{extension} ({input.Nodes.Count} nodes, {input.Nodes.Sum(n => n.GpuCount)} GPUs) and workload{extension} ({input.Pods.Count} pods) to {output.Destination}"));
            return ExitCodes.Success;
        });
        return command.WithExamples("""
            berth generate --out scenario
            berth generate --out big --nodes 5000 --seed 7 --target 150 --format json
            berth simulate --nodes scenario/cluster.yaml --pods scenario/workload.yaml --policies all --out results
            """);
    }
}
