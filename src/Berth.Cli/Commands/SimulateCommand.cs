using System.CommandLine;
using System.Globalization;
using Berth.Cli.Running;
using Berth.Simulation.Snapshots;
using Berth.Simulation.Formats;
using Berth.Simulation.Generation;
using Berth.Simulation.Input;
using Berth.Simulation.Reports;
using Berth.Simulation.Scenarios;
using Spectre.Console;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth simulate</c>: the recipe is 1. parse and check every option; 2. read every input file;
/// 3. stage the output folder; 4. run (trace × policy × seed) in parallel with progress; 5. write the
/// report files into the staging folder and move them into place; 6. print the summary table.
/// Nothing runs before steps 1-3 succeed, and nothing reaches the output folder unless all steps succeed.
/// </summary>
internal sealed class SimulateCommand
{
    public const string DefaultPolicies = "fgd,bestfit,random";
    public const string DefaultSeeds = "42";
    public const string DemoSeeds = "42-44";
    public const string DemoOut = "berth-demo";
    public const string OpenbNodeList = "openb_node_list_gpu_node.csv";

    private readonly CliTerminal _terminal;

    private readonly Option<string?> _nodes = new("--nodes")
    {
        Description = "Cluster file: an openb node list (.csv) or a Berth cluster (.yaml, .yml, .json).",
        HelpName = "file",
    };

    private readonly Option<string[]> _pods = new("--pods")
    {
        Description = "Workload file(s), comma-separated or repeated: openb pod lists (.csv) or Berth workloads (.yaml, .yml, .json). Each file is one trace, named after the file.",
        HelpName = "files",
    };

    private readonly Option<string?> _traceDir = new("--trace-dir")
    {
        Description = $"Folder of the openb trace; with --traces instead of --nodes/--pods (uses {OpenbNodeList} and openb_pod_list_<name>.csv).",
        HelpName = "dir",
    };

    private readonly Option<string?> _traces = new("--traces")
    {
        Description = "openb pod lists by short name with --trace-dir, e.g. default,cpu050,gpushare40, or all.",
        HelpName = "names",
    };

    private readonly Option<string?> _policies = new("--policies")
    {
        Description = $"Placement policies, comma-separated, in the order to report them, or 'all' (see 'berth policies'). Default: {DefaultPolicies}.",
        HelpName = "names",
    };

    private readonly Option<string?> _seeds = new("--seeds")
    {
        Description = $"Seeds: one (7), a range (42-51) or a list (42,43,50). Each seed shuffles and pads the pod list differently. Default: {DefaultSeeds} ({DemoSeeds} with --demo).",
        HelpName = "seeds",
    };

    private readonly Option<string?> _out = new("--out", "-o")
    {
        Description = $"Folder for summary.csv, curves.csv, report.html and runs.json; created if missing, files of the same name replaced. Default with --demo: ./{DemoOut}.",
        HelpName = "dir",
    };

    private readonly Option<string> _mode = new("--mode")
    {
        Description = "inflation: the FGD paper's protocol (shuffle, pad to --target % of GPU capacity, no departures). replay: pods arrive and leave at their trace times, waiting in a queue when nothing fits.",
        DefaultValueFactory = _ => "inflation",
        HelpName = "inflation|replay",
    };

    private readonly Option<double?> _target = new("--target")
    {
        Description = "Inflation mode: submit pods until their GPU demand reaches this % of GPU capacity. Default: 130.",
        HelpName = "percent",
    };

    private readonly Option<int?> _parallel = new("--parallel", "-j")
    {
        Description = $"Runs at the same time, each on one core. Default: the number of processors ({Environment.ProcessorCount} here).",
        HelpName = "k",
    };

    private readonly Option<bool> _demo = new("--demo")
    {
        Description = $"Generate a cluster and a workload (no files needed) and run every policy with seeds {DemoSeeds}. The generated cluster.yaml and workload.yaml are written beside the report.",
    };

    private readonly Option<string?> _scenario = new("--scenario")
    {
        Description = "A scenario file (YAML, see docs/FORMATS.md): cluster, flavors, cohorts, queues and workloads (inline, ITP job logs, openb pods, generated). Runs job-level admission under each of --profiles, and each queue alone on its quota for sharing safety.",
        HelpName = "file",
    };

    private readonly Option<string?> _profiles = new("--profiles")
    {
        Description = "With --scenario or --snapshot: admission profiles, comma-separated, or 'all': kube-default, strict-fifo, besteffort-fifo, fair-share, fair-share+backfill, each but kube-default also with +preemption, and those the scenario defines under admissionProfiles ('all' runs them too). Default: the scenario's list, else strict-fifo,fair-share,fair-share+backfill.",
        HelpName = "names",
    };

    private readonly Option<string?> _snapshot = new("--snapshot")
    {
        Description = "A snapshot of a live cluster ('berth snapshot'): its nodes, queues, running and pending workloads. Runs the pending work from the snapshot's moment under each of --profiles, the running work in place, and prints when each pending workload would start. --out is optional here.",
        HelpName = "file",
    };

    private readonly Option<string[]> _setQuota = new("--set-quota")
    {
        Description = $"With --snapshot, what-if: change a queue's nominal quota before the run, repeatable: {QuotaOverride.Syntax}.",
        HelpName = "queue/flavor/resource=amount",
    };

    private readonly Option<string?> _defaultRuntime = new("--default-runtime")
    {
        Description = "With --snapshot: run time of workloads that declare neither an expected run time (berth.dev/expected-run-time) nor a max run time (activeDeadlineSeconds, spec.maxRunTime). Default: 1h.",
        HelpName = "duration",
    };

    private readonly Option<bool> _alone = new("--alone")
    {
        Description = "With --scenario or --snapshot: also run each queue alone on its nominal quota, for the 'safe queues' column (is every queue served at least as well shared as alone?). On by default.",
    };

    private readonly Option<bool> _noAlone = new("--no-alone")
    {
        Description = "With --scenario or --snapshot: skip the per-queue alone runs (faster: one run per profile); the 'safe queues' column shows '-'.",
    };

    private SimulateCommand(CliTerminal terminal)
    {
        _terminal = terminal;
        _mode.AcceptOnlyFromAmong("inflation", "replay");
    }

    public static Command Create(CliTerminal terminal)
    {
        var handler = new SimulateCommand(terminal);
        var command = new Command("simulate", "Run placement policies over a cluster and workload(s), several seeds each, and write a report (CSV, HTML, JSON).")
        {
            handler._nodes, handler._pods, handler._traceDir, handler._traces, handler._policies, handler._seeds,
            handler._out, handler._mode, handler._target, handler._parallel, handler._demo, handler._scenario, handler._profiles,
            handler._snapshot, handler._setQuota, handler._defaultRuntime, handler._alone, handler._noAlone,
        };
        command.SetAction(handler.Execute);
        return command.WithExamples("""
            berth simulate --demo
                generated cluster and workload, every policy, seeds 42-44, report in ./berth-demo
            berth simulate --nodes openb_node_list_gpu_node.csv --pods openb_pod_list_default.csv --policies fgd,bestfit --seeds 42-51 --out results
                the FGD paper's experiment on the openb trace: 2 policies x 10 seeds
            berth simulate --trace-dir shared/traces/openb --traces default,cpu050,gpushare40 --policies all --out results
                several openb pod lists at once; one section per trace in the report
            berth simulate --nodes cluster.yaml --pods workload.yaml --mode replay --out replay
                Berth files (see 'berth generate'), pods arriving and leaving at their times
            berth simulate --scenario scenarios/itp-merged.yaml --profiles strict-fifo,fair-share+backfill --out itp
                job-level admission: queues, quotas, gangs, preemption, backfill; summary.csv has one row per
                profile and queue (and '*' for the whole cluster)
            berth simulate --snapshot snapshot.json --profiles fair-share,fair-share+backfill --set-quota team-a/a100/gpu=32
                what-if on the live cluster (see 'berth snapshot'): when would each pending workload start if
                team-a had 32 GPUs of flavor a100, under each profile

            Writes into --out: summary.csv (one row per run), curves.csv (one row per 1% bin of arrived GPU
            demand per run), report.html (tables and charts; open it in a browser) and runs.json.
            Every option and input file is checked before anything runs, and the files appear in --out only
            when everything succeeded. Exit codes: 0 done; 2 bad input or options; 1 unexpected failure.
            """);
    }

    private int Execute(ParseResult parse)
    {
        if (parse.GetValue(_alone) && parse.GetValue(_noAlone))
        {
            throw new InputException("--alone and --no-alone contradict each other; give one");
        }

        var alone = !parse.GetValue(_noAlone);
        if ((parse.GetResult(_alone) is { Implicit: false } || parse.GetResult(_noAlone) is { Implicit: false }) && parse.GetValue(_scenario) is null && parse.GetValue(_snapshot) is null)
        {
            throw new InputException($"{(alone ? "--alone" : "--no-alone")} goes with --scenario or --snapshot (the per-queue alone runs of job-level admission)");
        }

        var snapshotOnly = parse.GetValue(_setQuota) is { Length: > 0 } ? "--set-quota" : parse.GetValue(_defaultRuntime) is not null ? "--default-runtime" : null;
        if (parse.GetValue(_snapshot) is { } snapshot)
        {
            return ExecuteSnapshot(parse, snapshot, alone);
        }

        if (snapshotOnly is not null)
        {
            throw new InputException($"{snapshotOnly} goes with --snapshot (a snapshot of a live cluster, see 'berth snapshot')");
        }

        if (parse.GetValue(_scenario) is { } scenario)
        {
            if (parse.GetValue(_nodes) is not null || parse.GetValue(_pods) is { Length: > 0 } || parse.GetValue(_traceDir) is not null || parse.GetValue(_demo) || parse.GetValue(_policies) is not null)
            {
                throw new InputException("--scenario brings its own cluster, workloads and placement policy; leave out --nodes, --pods, --trace-dir, --demo and --policies");
            }

            var jobs = parse.GetValue(_parallel) ?? Environment.ProcessorCount;
            if (jobs < 1)
            {
                throw new InputException($"--parallel {jobs}: run at least 1 at a time");
            }

            return ScenarioRun.Execute(_terminal, scenario, parse.GetValue(_profiles), parse.GetValue(_out), jobs, BerthCli.CommandLine(parse), alone);
        }

        if (parse.GetValue(_profiles) is not null)
        {
            throw new InputException("--profiles goes with --scenario or --snapshot (admission profiles); for placement policies use --policies");
        }

        // 1. Options.
        var demo = parse.GetValue(_demo);
        if (!demo && parse.GetValue(_nodes) is null && parse.GetValue(_pods) is not { Length: > 0 } && parse.GetValue(_traceDir) is null && parse.GetValue(_traces) is null)
        {
            throw new InputException("nothing to simulate; try 'berth simulate --demo' (a generated cluster and workload, no files needed), or give --nodes FILE --pods FILE --out DIR, --scenario FILE --out DIR, or --snapshot FILE");
        }

        var mode = parse.GetValue(_mode) ?? "inflation";
        var seeds = SeedList.Parse(parse.GetValue(_seeds) ?? (demo ? DemoSeeds : DefaultSeeds));
        var policies = PolicyList.Parse(parse.GetValue(_policies) ?? (demo ? "all" : DefaultPolicies));
        var parallel = parse.GetValue(_parallel) ?? Environment.ProcessorCount;
        if (parallel < 1)
        {
            throw new InputException($"--parallel {parallel}: run at least 1 at a time");
        }

        var target = parse.GetValue(_target);
        if (target is not null && mode == "replay")
        {
            throw new InputException("--target applies to --mode inflation only; replay submits each pod of the trace once, at its creation time");
        }

        if (target is { } t && !(t is > 0 and <= 1000))
        {
            throw new InputException($"--target {t.ToString(CultureInfo.InvariantCulture)}: give a percentage of GPU capacity between 0 and 1000 (the paper uses 130)");
        }

        var outPath = parse.GetValue(_out) ?? (demo ? DemoOut : throw new InputException("--out is required: the folder to write the report into (e.g. --out results)"));

        // 2. Inputs, every file read completely.
        var (inputs, generated) = demo ? Demo(parse) : Files(parse);
        if (mode == "replay")
        {
            foreach (var (input, report) in inputs)
            {
                var pod = input.Pods.FirstOrDefault(p => p.CreationTime is null);
                if (pod is not null)
                {
                    throw new InputException(report.Workload, 0, "creation_time",
                        $"pod '{pod.Pod.Name}' has no creation time; replay needs arrival times (use --mode inflation for pod lists without times)");
                }
            }
        }

        // 3. Stage the output.
        using var output = OutputFolder.Create(outPath);

        // 4. Run.
        var runs = (from input in inputs from policy in policies from seed in seeds select new RunSpec(input.Input, policy, seed)).ToArray();
        var progress = new RunProgress(runs.Length);
        var started = TimeProvider.System.GetTimestamp();
        var results = ProgressView.Run(_terminal, runs, parallel, progress,
            () => RunExecutor.Execute(runs, mode, target ?? 130, parallel, progress, _terminal.Cancellation));
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        // 5. Write and move into place.
        var info = new ReportInfo
        {
            Mode = mode,
            TargetPercent = mode == "replay" ? null : target ?? 130,
            Policies = policies,
            Seeds = seeds,
            Inputs = inputs.Select(i => i.Report).ToArray(),
            CommandLine = BerthCli.CommandLine(parse),
            Version = BerthCli.Version,
        };
        generated?.Invoke(output);
        ReportWriter.WriteAll(output.Staging, info, results);
        output.Commit();

        // 6. Summary.
        _terminal.Console.Write(SummaryTable.Build(PolicySummary.Summarize(results), _terminal.Console.Profile.Width));
        _terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{results.Count} run{(results.Count == 1 ? string.Empty : "s")} in {elapsed.TotalSeconds:F1} s, {Math.Min(parallel, results.Count)} at a time ({mode} mode)."));
        _terminal.Out.WriteLine($"Wrote {string.Join(", ", ReportWriter.FileNames)}{(generated is null ? string.Empty : ", cluster.yaml, workload.yaml")} to {output.Destination}");
        _terminal.Out.WriteLine($"Open {Path.Combine(output.Destination, HtmlReport.FileName)} in a browser for the charts.");
        return ExitCodes.Success;
    }

    private int ExecuteSnapshot(ParseResult parse, string snapshot, bool alone)
    {
        if (parse.GetValue(_scenario) is not null || parse.GetValue(_nodes) is not null || parse.GetValue(_pods) is { Length: > 0 } || parse.GetValue(_traceDir) is not null || parse.GetValue(_demo) || parse.GetValue(_policies) is not null)
        {
            throw new InputException("--snapshot brings its own cluster and workloads; leave out --scenario, --nodes, --pods, --trace-dir, --demo and --policies");
        }

        var jobs = parse.GetValue(_parallel) ?? Environment.ProcessorCount;
        if (jobs < 1)
        {
            throw new InputException($"--parallel {jobs}: run at least 1 at a time");
        }

        var runtime = SnapshotSimulationOptions.OneHour;
        if (parse.GetValue(_defaultRuntime) is { } text && (!ScenarioUnits.TryParseDuration(text, out runtime) || runtime <= TimeSpan.Zero))
        {
            throw new InputException($"--default-runtime '{text}': give a positive duration such as 45m, 2h or 1d");
        }

        var quotas = (parse.GetValue(_setQuota) ?? []).SelectMany(q => q.Split(',')).Select(q => q.Trim()).Where(q => q.Length > 0).Select(QuotaOverride.Parse).ToArray();
        var options = new SnapshotSimulationOptions { DefaultRuntime = runtime, Quotas = quotas };
        return SnapshotRun.Execute(_terminal, snapshot, parse.GetValue(_profiles), options, parse.GetValue(_out), jobs, BerthCli.CommandLine(parse), alone);
    }

    private (IReadOnlyList<(SimulationInput Input, ReportInput Report)> Inputs, Action<OutputFolder>? Generated) Files(ParseResult parse)
    {
        var nodes = parse.GetValue(_nodes);
        var pods = (parse.GetValue(_pods) ?? []).SelectMany(p => p.Split(',')).Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();
        var traceDir = parse.GetValue(_traceDir);
        var traces = parse.GetValue(_traces);
        if (traceDir is not null || traces is not null)
        {
            if (nodes is not null || pods.Length > 0)
            {
                throw new InputException("give either --trace-dir with --traces, or --nodes with --pods, not both");
            }

            if (traceDir is null || traces is null)
            {
                throw new InputException("--trace-dir and --traces go together, e.g. --trace-dir shared/traces/openb --traces default,cpu050");
            }

            if (!Directory.Exists(traceDir))
            {
                throw new InputException(traceDir, 0, string.Empty, "folder not found; check the path given to --trace-dir");
            }

            nodes = Path.Combine(traceDir, OpenbNodeList);
            pods = string.Equals(traces.Trim(), "all", StringComparison.OrdinalIgnoreCase)
                ? Directory.GetFiles(traceDir, "openb_pod_list_*.csv").Order(StringComparer.Ordinal).ToArray()
                : traces.Split(',').Select(t => t.Trim()).Where(t => t.Length > 0).Select(t => Path.Combine(traceDir, $"openb_pod_list_{t}.csv")).ToArray();
        }

        if (nodes is null)
        {
            throw new InputException("--nodes is required: the cluster file (e.g. --nodes openb_node_list_gpu_node.csv); or try --demo");
        }

        if (pods.Length == 0)
        {
            throw new InputException("--pods is required: one or more workload files (e.g. --pods openb_pod_list_default.csv); or try --demo");
        }

        return (InputLoader.Load(nodes, pods), null);
    }

    private (IReadOnlyList<(SimulationInput Input, ReportInput Report)> Inputs, Action<OutputFolder>? Generated) Demo(ParseResult parse)
    {
        if (parse.GetValue(_nodes) is not null || parse.GetValue(_pods) is { Length: > 0 } || parse.GetValue(_traceDir) is not null || parse.GetValue(_traces) is not null)
        {
            throw new InputException("--demo generates its own cluster and workload; leave out --nodes, --pods, --trace-dir and --traces");
        }

        var options = new GeneratorOptions();
        var input = WorkloadGenerator.Generate(options) with { Name = "demo" };
        var report = InputLoader.Describe(input, $"generated: {options.Nodes} nodes, seed {options.Seed} (cluster.yaml)", "generated (workload.yaml)");
        void Write(OutputFolder folder)
        {
            BerthFormat.WriteCluster(folder.StagingPath("cluster.yaml"), input.Nodes);
            BerthFormat.WriteWorkload(folder.StagingPath("workload.yaml"), input.Pods);
        }

        return ([(input, report)], Write);
    }
}
