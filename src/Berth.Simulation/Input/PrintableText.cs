using System.Globalization;
using System.Text;

namespace Berth.Simulation.Input;

/// <summary>
/// Text from a file as an error message may quote it: control and other unprintable characters escaped
/// (<c>\0</c>, <c>\x1B</c>, <c>\uFFFD</c>) and long text cut, so that a binary file given by mistake cannot
/// write raw bytes to the user's terminal or flood it.
/// </summary>
public static class PrintableText
{
    public const int DefaultMaxLength = 80;

    public static string Of(string text, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        foreach (var c in text)
        {
            if (builder.Length >= maxLength)
            {
                builder.Append("...");
                break;
            }

            switch (c)
            {
                case '\0':
                    builder.Append("\\0");
                    break;
                case '\n':
                    // Messages may span lines on purpose; a line break writes nothing odd to a terminal.
                    builder.Append('\n');
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse)
                    {
                        builder.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>True when <paramref name="text"/> looks like binary data rather than a line of text: a NUL, or unprintable characters.</summary>
    public static bool LooksBinary(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bad = 0;
        foreach (var c in text)
        {
            if (c == '\0')
            {
                return true;
            }

            if ((char.IsControl(c) && c != '\t' && c != '\r') || c == '\uFFFD')
            {
                bad++;
            }
        }

        return bad > 0 && bad * 20 >= text.Length;
    }
}
