using System.Globalization;
using Berth.Model.Queueing;

namespace Berth.Model.Tests.Queueing;

/// <summary>Amounts in reasons and events read the same on every machine: a decimal point, whatever the culture.</summary>
public sealed class ResourcesFormatTests
{
    [Theory]
    [InlineData(ResourceKind.Gpu, 500, "0.5 GPU")]
    [InlineData(ResourceKind.Gpu, 2000, "2 GPU")]
    [InlineData(ResourceKind.Cpu, 1250, "1.25 cpu")]
    [InlineData(ResourceKind.Memory, 2048, "2 GiB memory")]
    [InlineData(ResourceKind.Memory, 1500, "1500 MiB memory")]
    public void Format_UnderACommaCulture_KeepsTheDecimalPoint(ResourceKind kind, long amount, string expected)
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone(); // as de-DE writes numbers (the tests run without ICU)
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(expected, Resources.Format(kind, amount));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
