namespace Berth.Engine.Tests;
