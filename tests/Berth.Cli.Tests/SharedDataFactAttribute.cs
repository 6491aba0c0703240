using Berth.TestKit;

namespace Berth.Cli.Tests;

/// <summary>A fact that needs ../shared (the public traces); skipped, saying why and how to get them, when it is not there.</summary>
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
