namespace Berth.Simulation.Tests;
