using Berth.Kubernetes.Translation;
using Berth.Model.Queueing;
using CsCheck;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class QuantitiesTests
{
    /// <summary>A quantity's text, its resource, and the amount in the model's unit.</summary>
    public sealed record Conversion(string Name, string Text, ResourceKind Kind, long Expected)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Conversion> Conversions => new()
    {
        new("Half a core in milli is 500 milli-cores", "500m", ResourceKind.Cpu, 500),
        new("Two cores are 2000 milli-cores", "2", ResourceKind.Cpu, 2000),
        new("A decimal core fraction is exact", "0.1", ResourceKind.Cpu, 100),
        new("An exponent is read", "1e3", ResourceKind.Cpu, 1_000_000),
        new("A fraction of a milli-core rounds up", "0.0001", ResourceKind.Cpu, 1),
        new("16Gi of memory is 16384 MiB", "16Gi", ResourceKind.Memory, 16384),
        new("1Ti of memory is 1048576 MiB", "1Ti", ResourceKind.Memory, 1_048_576),
        new("512Mi of memory is 512 MiB", "512Mi", ResourceKind.Memory, 512),
        new("Decimal megabytes round up to whole MiB", "100M", ResourceKind.Memory, 96),
        new("Plain bytes round up to whole MiB", "1", ResourceKind.Memory, 1),
        new("Eight GPUs are 8000 milli-GPU", "8", ResourceKind.Gpu, 8000),
        new("Half a GPU as a decimal is 500 milli-GPU", "0.5", ResourceKind.Gpu, 500),
        new("Half a GPU in milli is 500 milli-GPU", "500m", ResourceKind.Gpu, 500),
        new("A negative amount parses, for the caller to judge", "-2", ResourceKind.Gpu, -2000),
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void TryParse_Quantity_GivesModelUnits(Conversion conversion)
    {
        Assert.True(Quantities.TryParse(conversion.Text, conversion.Kind, out var value));
        Assert.Equal(conversion.Expected, value);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData(" 8")]
    [InlineData("1.2.3")]
    [InlineData("5x")]
    [InlineData("16GB")]
    [InlineData(null)]
    [InlineData("1e40")]
    public void TryParse_NotAQuantity_ReturnsFalse(string? text)
    {
        Assert.False(Quantities.TryParse(text, ResourceKind.Memory, out _));
    }

    [Theory]
    [InlineData("100M", 95)]
    [InlineData("1536Ki", 1)]
    [InlineData("16Gi", 16384)]
    public void TryParseCapacity_Memory_RoundsDown(string text, long expected)
    {
        Assert.True(Quantities.TryParseCapacity(text, ResourceKind.Memory, out var mib));
        Assert.Equal(expected, mib);
    }

    [Theory]
    [InlineData(ResourceKind.Cpu, 500, "500m")]
    [InlineData(ResourceKind.Cpu, 2000, "2")]
    [InlineData(ResourceKind.Memory, 16384, "16Gi")]
    [InlineData(ResourceKind.Memory, 100, "100Mi")]
    [InlineData(ResourceKind.Memory, 0, "0")]
    [InlineData(ResourceKind.Gpu, 8000, "8")]
    [InlineData(ResourceKind.Gpu, 250, "250m")]
    public void Format_Amount_GivesShortestQuantity(ResourceKind kind, long amount, string expected)
    {
        Assert.Equal(expected, Quantities.Format(kind, amount));
    }

    [Fact]
    public void FormatThenTryParse_AnyAmount_GivesItBack()
    {
        Gen.Select(Gen.Enum<ResourceKind>(), Gen.Long[0, 1L << 40]).Sample((kind, amount) =>
        {
            Assert.True(Quantities.TryParse(Quantities.Format(kind, amount), kind, out var back));
            Assert.Equal(amount, back);
        });
    }

    [Fact]
    public void Usage_TotalAndBorrowed_AreQuantitiesPerResource()
    {
        var usage = Quantities.Usage("a100", new Resources(1500, 16384, 8000), new Resources(0, 0, 2500));

        Assert.Equal("a100", usage.Name);
        Assert.Equal(["gpu", "cpu", "memory"], usage.Resources!.Select(r => r.Name));
        Assert.Equal(["8", "1500m", "16Gi"], usage.Resources!.Select(r => r.Total));
        Assert.Equal(["2500m", "0", "0"], usage.Resources!.Select(r => r.Borrowed));
    }
}
