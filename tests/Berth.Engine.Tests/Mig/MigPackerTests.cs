using Berth.Engine.Mig;
using Berth.Model;
using Berth.Model.Gpus;
using CsCheck;

namespace Berth.Engine.Tests.Mig;

public sealed class MigPackerTests
{
    [Fact]
    public void Measure_EmptyH100_CountsOnlyTheSlicesSmallProfilesNeverReach()
    {
        var measure = new MigFragmentMeasure(Geometry("H100"));

        // Empty GPU: 1g.10gb cannot reach slice 7, 2g.20gb slices 6-7, 4g.40gb slices 4-7; the others reach all.
        Assert.Equal(1 + 2 + 4, measure.Of(0));

        // With 1g.10gb at slice 6 held: 1g.10gb, 1g.20gb and 2g.20gb miss slice 7; 3g.40gb and 4g.40gb miss 4, 5
        // and 7; 7g.80gb misses all seven free slices.
        Assert.Equal(1 + 1 + 1 + 3 + 3 + 7, measure.Of(1 << 6));
    }

    [Fact]
    public void Choose_SmallInstancesOnAnEmptyH100_KeepA4gPlaceable()
    {
        var packer = new MigPacker(new MigFragmentMeasure(Geometry("H100")));
        var layout = MigLayout.Empty;

        for (var i = 0; i < 3; i++)
        {
            var placement = packer.Choose([layout], "1g.10gb");
            Assert.NotNull(placement);
            layout = new MigLayout([.. layout.Instances, new MigInstance("1g.10gb", placement.Value.Start)]);
        }

        // First fit would have taken slices 0, 1, 2 and left no room for a 4g.40gb (it starts only at 0).
        Assert.Equal("1g.10gb@6, 1g.10gb@4, 1g.10gb@5", layout.ToString());
        Assert.Equal(new MigPlacement(0, 0), packer.Choose([layout], "4g.40gb"));
    }

    [Fact]
    public void Choose_EqualGrowth_PrefersTheFullerGpu()
    {
        var packer = new MigPacker(new MigFragmentMeasure(Geometry("A100")));
        MigLayout[] gpus = [MigLayout.Empty, MigLayout.Parse(["4g.40gb@0"])];

        var placement = packer.Choose(gpus, "3g.40gb");

        Assert.Equal(new MigPlacement(1, 4), placement);
    }

    [Fact]
    public void Choose_NoRoomLeft_ReturnsNull()
    {
        var packer = new MigPacker(new MigFragmentMeasure(Geometry("H200")));

        Assert.Null(packer.Choose([MigLayout.Parse(["7g.141gb@0"])], "1g.18gb"));
        Assert.Null(packer.Choose([MigLayout.Parse(["1g.18gb+me@0"])], "1g.18gb+me"));
        Assert.Null(packer.Choose([MigLayout.Parse(["3g.71gb@0"])], "4g.71gb"));
    }

    [Fact]
    public void Choose_ProfileOfAnotherModel_ThrowsNamingTheProfiles()
    {
        var packer = new MigPacker(new MigFragmentMeasure(Geometry("H100")));

        var error = Assert.Throws<ArgumentException>(() => packer.Choose([MigLayout.Empty], "3g.20gb"));

        Assert.Contains("unknown MIG profile '3g.20gb' for GPU model H100; use one of 1g.10gb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Measure_UnknownTypicalProfile_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new MigFragmentMeasure(Geometry("A100-40G"), [("3g.40gb", 1)]));

        Assert.Contains("'3g.40gb' is not a profile of A100-40G", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Random arrivals and departures of MIG pods on a node: every GPU's layout stays one NVIDIA allows, no two
    /// pods hold one instance, the instances' memory never exceeds the GPU's, and the packer refuses only when
    /// no GPU and start could take the instance (checked by trying every one).
    /// </summary>
    [Fact]
    public void Choose_RandomArrivalsAndDepartures_NeverAnInvalidLayoutOrADoubleHeldInstance()
    {
        var models = MigGeometries.Models.ToArray();
        var step = Gen.Select(Gen.Bool, Gen.Int[0, 6], Gen.Int[0, 1000]);
        Gen.Select(Gen.Int[0, models.Length - 1], Gen.Int[1, 4], step.Array[1, 60]).Sample((m, gpuCount, steps) =>
        {
            var geometry = Geometry(models[m]);
            Assert.True(GpuModelCatalog.Default.TryGet(geometry.GpuModel, out var model));
            var packer = new MigPacker(new MigFragmentMeasure(geometry));
            var layouts = Enumerable.Repeat(MigLayout.Empty, gpuCount).ToArray();
            var holders = new List<(int Pod, int Gpu, MigInstance Instance)>();
            var nextPod = 0;
            foreach (var (arrive, profileIndex, pick) in steps)
            {
                if (!arrive && holders.Count > 0)
                {
                    var leaving = holders[pick % holders.Count];
                    holders.Remove(leaving);
                    var rest = layouts[leaving.Gpu].Instances.ToList();
                    Assert.True(rest.Remove(leaving.Instance));
                    layouts[leaving.Gpu] = new MigLayout(rest);
                    continue;
                }

                var profile = geometry.Profiles[profileIndex];
                var placement = packer.Choose(layouts, profile.Name);
                if (placement is not { } p)
                {
                    var anyValid = Enumerable.Range(0, gpuCount).Any(g => profile.Starts.Any(s =>
                        geometry.Problem(new MigLayout([.. layouts[g].Instances, new MigInstance(profile.Name, s)])) is null));
                    Assert.False(anyValid, $"the packer refused {profile.Name} although a valid placement exists");
                    continue;
                }

                var instance = new MigInstance(profile.Name, p.Start);
                layouts[p.Gpu] = new MigLayout([.. layouts[p.Gpu].Instances, instance]);
                holders.Add((nextPod++, p.Gpu, instance));

                Assert.Null(geometry.Problem(layouts[p.Gpu]));
                var held = holders.Where(h => h.Gpu == p.Gpu).Select(h => h.Instance).ToArray();
                Assert.Equal(held.Length, held.Distinct().Count());
                Assert.Equal(layouts[p.Gpu].Instances.Count, held.Length);
                var memory = layouts[p.Gpu].Instances.Sum(i => geometry.Profiles.Single(x => x.Name == i.Profile).MemoryMiB);
                Assert.True(memory <= model.MemoryMiB, $"{memory} MiB of instances on a {model.MemoryMiB} MiB GPU");
            }
        }, iter: 2_000);
    }

    private static MigGeometry Geometry(string model)
    {
        Assert.True(MigGeometries.TryGet(model, out var geometry));
        return geometry;
    }
}
