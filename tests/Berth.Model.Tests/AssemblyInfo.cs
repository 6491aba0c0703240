namespace Berth.Model.Tests;
