using Berth.TestKit;

namespace Berth.Simulation.Tests;

/// <summary>A fact that needs ../shared (the openb traces); skipped, saying why, when it is not there.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Root is null)
        {
            Skip = SharedData.SkipReason;
        }
    }
}
