namespace Berth.Cli.Tests;
