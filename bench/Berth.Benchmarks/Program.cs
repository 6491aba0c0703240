using Berth.Benchmarks;

if (args.Length > 0 && args[0] == "scenario")
{
    return Scenarios.Run(args[1..]);
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
