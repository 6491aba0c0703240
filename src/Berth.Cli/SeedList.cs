using System.Globalization;
using Berth.Simulation.Input;

namespace Berth.Cli;

/// <summary>Parses <c>--seeds</c>: a seed (<c>7</c>), a range (<c>42-51</c>), a list (<c>42,43,50</c>) or a mix (<c>1-3,7</c>).</summary>
public static class SeedList
{
    /// <summary>At most this many seeds in one invocation, to catch typos such as <c>1-10000000</c>.</summary>
    public const int MaxSeeds = 10_000;

    public static IReadOnlyList<int> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seeds = new List<int>();
        var seen = new HashSet<int>();
        foreach (var rawPart in text.Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                throw Bad(text, "an empty item; write e.g. 42-51, 42,43,50 or 7");
            }

            var dash = part.IndexOf('-', 1);
            int first, last;
            if (dash > 0)
            {
                first = Number(text, part[..dash]);
                last = Number(text, part[(dash + 1)..]);
                if (last < first)
                {
                    throw Bad(text, $"the range {part} runs backwards; write the smaller seed first ({last}-{first})");
                }
            }
            else
            {
                first = last = Number(text, part);
            }

            if ((long)seeds.Count + last - first + 1 > MaxSeeds)
            {
                throw Bad(text, $"more than {MaxSeeds} seeds; is there a typo in the range?");
            }

            for (var seed = first; seed <= last && seed >= first; seed++)
            {
                if (!seen.Add(seed))
                {
                    throw Bad(text, $"seed {seed} appears twice; list every seed once");
                }

                seeds.Add(seed);
                if (seed == int.MaxValue)
                {
                    break;
                }
            }
        }

        return seeds;
    }

    private static int Number(string text, string item)
    {
        item = item.Trim();
        return int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(text, $"'{item}' is not a seed; seeds are whole numbers from 0 to {int.MaxValue}");
    }

    private static InputException Bad(string text, string problem) => new($"--seeds '{text}': {problem}");
}
