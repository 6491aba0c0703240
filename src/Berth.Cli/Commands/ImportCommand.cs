using System.CommandLine;
using Berth.Cli.Import;
using Berth.Simulation.Input;

namespace Berth.Cli.Commands;

/// <summary><c>berth import kueue FILE...</c>: Kueue queueing objects as a scenario's queueing sections or as Berth's Kubernetes objects.</summary>
internal sealed class ImportCommand
{
    private readonly CliTerminal _terminal;

    private readonly Argument<string[]> _files = new("files") { Description = "Kueue manifests (YAML, several documents or a List each): ClusterQueue, LocalQueue, ResourceFlavor, Cohort, WorkloadPriorityClass.", Arity = ArgumentArity.OneOrMore };

    private readonly Option<string> _to = new("--to") { Description = "scenario: the queueing sections of a scenario file (flavors, cohorts, priorityClasses, queues); crds: Berth's Queue, Cohort and Flavor objects and PriorityClasses, for kubectl apply.", HelpName = "scenario|crds", DefaultValueFactory = _ => "scenario" };

    private readonly Option<string?> _out = new("--out", "-o") { Description = "File to write (replaced if it exists); default: standard output.", HelpName = "file" };

    private ImportCommand(CliTerminal terminal)
    {
        _terminal = terminal;
        _to.AcceptOnlyFromAmong("scenario", "crds");
    }

    public static Command Create(CliTerminal terminal)
    {
        var handler = new ImportCommand(terminal);
        var kueue = new Command("kueue", "Convert Kueue ClusterQueues, LocalQueues, ResourceFlavors, Cohorts and WorkloadPriorityClasses (kueue.x-k8s.io v1beta1/v1beta2) into Berth's queues, with a note for every field that has no equivalent.")
        {
            handler._files, handler._to, handler._out,
        };
        kueue.SetAction(handler.Execute);
        kueue.WithExamples("""
            berth import kueue cluster-queues.yaml flavors.yaml local-queues.yaml -o queues.yaml
                the queueing sections of a scenario; add a cluster and workloads and run 'berth simulate --scenario'
            kubectl get clusterqueues,localqueues,resourceflavors,workloadpriorityclasses -A -o yaml > kueue.yaml
            berth import kueue kueue.yaml --to crds -o berth-queues.yaml && kubectl apply -f berth-queues.yaml
                move a cluster's queues from Kueue to Berth

            Mapped: quotas per flavor (nominalQuota, borrowingLimit, lendingLimit of nvidia.com/gpu or any */gpu,
            cpu and memory), cohort (and Cohort parents, quotas, weights), queueingStrategy, stopPolicy,
            fairSharing.weight, preemption.withinClusterQueue and reclaimWithinCohort, flavorFungibility,
            admissionChecks, ResourceFlavor nodeLabels, nodeTaints and tolerations, priority class values.
            Everything else is listed, with file and line, on standard error and as comments in the output.
            Exit codes: 0 done (notes or not); 2 bad input (unreadable YAML, a missing name, a bad quantity).
            """);
        return new Command("import", "Bring queues from other tools into Berth.") { kueue };
    }

    private int Execute(ParseResult parse)
    {
        var files = parse.GetValue(_files) ?? [];
        var import = KueueReader.Read(files);
        if (import.Queues.Count == 0 && import.Flavors.Count == 0 && import.Cohorts.Count == 0 && import.PriorityClasses.Count == 0)
        {
            throw new InputException($"no ClusterQueue, ResourceFlavor, Cohort or WorkloadPriorityClass (kueue.x-k8s.io) in {string.Join(", ", files)}; give Kueue manifests");
        }

        var text = parse.GetValue(_to) == "crds" ? KueueWriter.Crds(import, files) : KueueWriter.Scenario(import, files);
        foreach (var note in import.Notes)
        {
            _terminal.Error.WriteLine($"note: {note}");
        }

        if (parse.GetValue(_out) is { } path)
        {
            if (Directory.Exists(path))
            {
                throw new InputException($"--out '{path}': is a folder; give a file name, e.g. {Path.Combine(path, "queues.yaml")}");
            }

            // Written beside and moved, so an interrupted write never leaves half a file.
            var full = Path.GetFullPath(path);
            var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.berth-{Guid.NewGuid().ToString("N")[..8]}.tmp");
            try
            {
                File.WriteAllText(temp, text);
                File.Move(temp, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                File.Delete(temp);
                throw new InputException($"--out '{path}': cannot write it ({e.Message})");
            }

            _terminal.Out.WriteLine($"Wrote {import.Queues.Count} queues, {import.Cohorts.Count} cohorts, {import.Flavors.Count} flavors, {import.PriorityClasses.Count} priority classes to {full} ({import.Notes.Count} fields not converted, listed above and in the file).");
        }
        else
        {
            _terminal.Out.Write(text);
        }

        return ExitCodes.Success;
    }
}
