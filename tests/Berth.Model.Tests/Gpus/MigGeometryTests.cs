using Berth.Model.Gpus;
using CsCheck;

namespace Berth.Model.Tests.Gpus;

/// <summary>
/// Table tests of the built-in MIG geometry against NVIDIA's MIG user guide: the partitions the guide draws for
/// the A100 (and the same shapes with the H100's and H200's names) are accepted; overlaps, starts NVIDIA does not
/// list, too many instances and profiles of another model are refused.
/// </summary>
public sealed class MigGeometryTests
{
    /// <summary>A layout on one GPU model and, when refused, words the reason must carry.</summary>
    public sealed record LayoutCase(string Name, string GpuModel, string[] Instances, string? Mentions)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<LayoutCase> AllowedLayouts => new()
    {
        new("One 7g.40gb takes the whole A100-40GB", "A100-40G", ["7g.40gb@0"], null),
        new("4g.20gb and 3g.20gb split the A100-40GB", "A100-40G", ["4g.20gb@0", "3g.20gb@4"], null),
        new("Two 3g.20gb sit at 0 and 4", "A100-40G", ["3g.20gb@0", "3g.20gb@4"], null),
        new("4g, 2g and 1g fill the A100-40GB", "A100-40G", ["4g.20gb@0", "2g.10gb@4", "1g.5gb@6"], null),
        new("4g and three 1g fill the A100-40GB", "A100-40G", ["4g.20gb@0", "1g.5gb@4", "1g.5gb@5", "1g.5gb@6"], null),
        new("3g, 2g and 1g fill the A100-40GB", "A100-40G", ["3g.20gb@0", "2g.10gb@4", "1g.5gb@6"], null),
        new("Two 2g and a 3g fill the A100-40GB", "A100-40G", ["2g.10gb@0", "2g.10gb@2", "3g.20gb@4"], null),
        new("2g, two 1g and a 3g fill the A100-40GB", "A100-40G", ["2g.10gb@0", "1g.5gb@2", "1g.5gb@3", "3g.20gb@4"], null),
        new("Four 1g and a 3g fill the A100-40GB", "A100-40G", ["1g.5gb@0", "1g.5gb@1", "1g.5gb@2", "1g.5gb@3", "3g.20gb@4"], null),
        new("Three 2g and a 1g fill the A100-40GB", "A100-40G", ["2g.10gb@0", "2g.10gb@2", "2g.10gb@4", "1g.5gb@6"], null),
        new("Seven 1g.5gb fill the A100-40GB", "A100-40G", ["1g.5gb@0", "1g.5gb@1", "1g.5gb@2", "1g.5gb@3", "1g.5gb@4", "1g.5gb@5", "1g.5gb@6"], null),
        new("Four 1g.10gb sit at the even starts of the A100-40GB", "A100-40G", ["1g.10gb@0", "1g.10gb@2", "1g.10gb@4", "1g.10gb@6"], null),
        new("One 1g.5gb+me among plain 1g.5gb", "A100-40G", ["1g.5gb+me@0", "1g.5gb@1", "1g.5gb@2"], null),
        new("An empty layout is allowed (MIG on, no instance yet)", "A100-40G", [], null),
        new("4g.40gb and 3g.40gb split the A100-80GB", "A100", ["4g.40gb@0", "3g.40gb@4"], null),
        new("Four 1g.20gb sit at the even starts of the H100", "H100", ["1g.20gb@0", "1g.20gb@2", "1g.20gb@4", "1g.20gb@6"], null),
        new("3g.40gb, 2g.20gb and 1g.10gb fill the H100", "H100", ["3g.40gb@0", "2g.20gb@4", "1g.10gb@6"], null),
        new("One 7g.80gb takes the whole H100", "H100", ["7g.80gb@0"], null),
        new("Three 2g.35gb and a 1g.35gb fill the H200", "H200", ["2g.35gb@0", "2g.35gb@2", "2g.35gb@4", "1g.35gb@6"], null),
        new("4g.71gb and 3g.71gb split the H200", "H200", ["4g.71gb@0", "3g.71gb@4"], null),
        new("One 7g.141gb takes the whole H200", "H200", ["7g.141gb@0"], null),
    };

    public static TheoryData<LayoutCase> RefusedLayouts => new()
    {
        new("Two 3g.20gb overlapping at 0 are refused", "A100-40G", ["3g.20gb@0", "3g.20gb@0"], "overlap in memory slice 0"),
        new("A 2g.10gb inside a 3g.20gb is refused", "A100-40G", ["3g.20gb@0", "2g.10gb@2"], "overlap in memory slice 2"),
        new("A 1g.10gb over a 1g.5gb is refused", "A100-40G", ["1g.5gb@6", "1g.10gb@6"], "overlap in memory slice 6"),
        new("A 1g.5gb inside a 7g.40gb is refused", "A100-40G", ["7g.40gb@0", "1g.5gb@3"], "overlap in memory slice 3"),
        new("A 4g and 3g on the same half are refused", "A100-40G", ["4g.20gb@0", "3g.20gb@0"], "overlap in memory slice 0"),
        new("A 3g.20gb at slice 2 is refused", "A100-40G", ["3g.20gb@2"], "NVIDIA allows starts 0, 4"),
        new("A 4g.20gb at slice 4 is refused", "A100-40G", ["4g.20gb@4"], "NVIDIA allows starts 0"),
        new("A 2g.10gb at slice 6 is refused", "A100-40G", ["2g.10gb@6"], "NVIDIA allows starts 0, 2, 4"),
        new("A 2g.10gb at an odd slice is refused", "A100-40G", ["2g.10gb@1"], "cannot start at memory slice 1"),
        new("A 1g.10gb at an odd slice is refused", "A100-40G", ["1g.10gb@3"], "NVIDIA allows starts 0, 2, 4, 6"),
        new("A 7g.40gb not at 0 is refused", "A100-40G", ["7g.40gb@1"], "cannot start at memory slice 1"),
        new("A 1g.5gb past the last start is refused", "A100-40G", ["1g.5gb@7"], "NVIDIA allows starts 0, 1, 2, 3, 4, 5, 6"),
        new("Eight 1g.5gb are refused", "A100-40G", ["1g.5gb@0", "1g.5gb@1", "1g.5gb@2", "1g.5gb@3", "1g.5gb@4", "1g.5gb@5", "1g.5gb@6", "1g.5gb@6"], "holds at most 7"),
        new("Two 1g.5gb+me are refused", "A100-40G", ["1g.5gb+me@0", "1g.5gb+me@1"], "holds at most 1"),
        new("Three 3g.20gb are refused", "A100-40G", ["3g.20gb@0", "3g.20gb@4", "3g.20gb@4"], "holds at most 2"),
        new("Four 2g.10gb are refused", "A100-40G", ["2g.10gb@0", "2g.10gb@2", "2g.10gb@4", "2g.10gb@4"], "holds at most 3"),
        new("An H100 profile on an A100-40GB is refused", "A100-40G", ["3g.40gb@0"], "unknown MIG profile '3g.40gb' for GPU model A100-40G"),
        new("An A100-40GB profile on an H100 is refused", "H100", ["1g.5gb@0"], "unknown MIG profile '1g.5gb' for GPU model H100"),
        new("An H200 profile on an A100-80GB is refused", "A100", ["1g.18gb@0"], "use one of 1g.10gb, 1g.10gb+me, 1g.20gb"),
        new("A profile name with a typo is refused", "H200", ["3g.70gb@0"], "unknown MIG profile '3g.70gb'"),
        new("A 4g.40gb and 3g.40gb swapped on the H100 are refused", "H100", ["3g.40gb@0", "4g.40gb@4"], "4g.40gb cannot start at memory slice 4"),
        new("An H200 2g.35gb and 3g.71gb overlapping are refused", "H200", ["3g.71gb@4", "2g.35gb@4"], "overlap in memory slice 4"),
    };

    [Theory]
    [MemberData(nameof(AllowedLayouts))]
    public void Problem_LayoutNvidiaAllows_IsNull(LayoutCase layout)
    {
        var geometry = Geometry(layout.GpuModel);

        var problem = geometry.Problem(MigLayout.Parse(layout.Instances));

        Assert.Null(problem);
    }

    [Theory]
    [MemberData(nameof(RefusedLayouts))]
    public void Problem_LayoutNvidiaForbids_NamesTheReason(LayoutCase layout)
    {
        var geometry = Geometry(layout.GpuModel);

        var problem = geometry.Problem(MigLayout.Parse(layout.Instances));

        Assert.NotNull(problem);
        Assert.Contains(layout.Mentions!, problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RefusedLayouts))]
    public void TryArrange_LayoutNvidiaForbids_Fails(LayoutCase layout)
    {
        var ok = Geometry(layout.GpuModel).TryArrange(MigLayout.Parse(layout.Instances), out _, out var problem);

        Assert.False(ok);
        Assert.NotNull(problem);
    }

    [Fact]
    public void TryArrange_BalancedLayouts_PlaceEveryInstanceOnAValidStart()
    {
        var cases = new (string Model, string[] Instances)[]
        {
            ("A100-40G", ["3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb"]),
            ("H100", ["1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb"]),
            ("H200", ["2g.35gb", "2g.35gb", "2g.35gb", "1g.35gb"]),
            ("A100", ["4g.40gb", "3g.40gb"]),
            ("H100", ["1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb"]),
        };
        foreach (var (model, instances) in cases)
        {
            var geometry = Geometry(model);

            var ok = geometry.TryArrange(MigLayout.Parse(instances), out var arranged, out var problem);

            Assert.True(ok, problem);
            Assert.True(arranged.IsPlaced);
            Assert.Null(geometry.Problem(arranged));
            Assert.Equal(instances.Order(StringComparer.Ordinal), arranged.Instances.Select(i => i.Profile).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void TryArrange_BalancedA100_BacktracksToTheOnlyPlacement()
    {
        // With the 3g at 0 the 2g can only take 4 and no start is left for the second 1g, so the search moves the 3g to 4.
        var ok = Geometry("A100-40G").TryArrange(MigLayout.Parse(["3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb"]), out var arranged, out var problem);

        Assert.True(ok, problem);
        Assert.Equal("3g.20gb@4, 2g.10gb@0, 1g.5gb@2, 1g.5gb@3", arranged.ToString());
    }

    [Fact]
    public void TryArrange_FixedStart_IsKept()
    {
        var geometry = Geometry("H100");

        var ok = geometry.TryArrange(MigLayout.Parse(["3g.40gb@4", "3g.40gb", "1g.10gb"]), out var arranged, out var problem);

        // 3g.40gb is fixed at 4, so the other 3g.40gb must take 0 and the 1g has nowhere left.
        Assert.False(ok);
        Assert.Contains("does not fit", problem, StringComparison.Ordinal);

        Assert.True(geometry.TryArrange(MigLayout.Parse(["3g.40gb@4", "3g.40gb"]), out arranged, out _));
        Assert.Equal(new MigInstance("3g.40gb", 4), arranged.Instances[0]);
        Assert.Equal(new MigInstance("3g.40gb", 0), arranged.Instances[1]);
    }

    [Fact]
    public void TryArrange_MoreSlicesThanTheGpuHas_Fails()
    {
        var ok = Geometry("A100-40G").TryArrange(MigLayout.Parse(["4g.20gb", "3g.20gb", "1g.5gb"]), out _, out var problem);

        Assert.False(ok);
        Assert.Contains("does not fit on one A100-40G", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Geometries_CoverTheFourModelsOfTheIssue()
    {
        Assert.Equal(["A100", "A100-40G", "H100", "H200"], MigGeometries.Models);
        foreach (var model in MigGeometries.Models)
        {
            Assert.True(GpuModelCatalog.Default.Contains(model), $"{model} must be a catalog model");
            var geometry = Geometry(model);
            Assert.True(GpuModelCatalog.Default.TryGet(model, out var info));
            var whole = geometry.Profiles.Single(p => p.ComputeSlices == geometry.ComputeSlices);
            Assert.Equal(info.MemoryMiB, whole.MemoryMiB);
        }
    }

    [Fact]
    public void Profiles_MemoryBySlices_NeverAddsUpToMoreThanTheGpu()
    {
        Assert.True(Geometry("H200").TryGetProfile("3g.71gb", out var half));
        Assert.True(GpuModelCatalog.Default.TryGet("H200", out var h200));

        // The name rounds 70.5 GB up; two halves hold exactly the GPU.
        Assert.Equal(h200.MemoryMiB, 2 * half.MemoryMiB);
        foreach (var model in MigGeometries.Models)
        {
            var geometry = Geometry(model);
            Assert.True(GpuModelCatalog.Default.TryGet(model, out var info));
            Assert.All(geometry.Profiles, p => Assert.Equal(info.MemoryMiB * p.MemorySlices / geometry.MemorySlices, p.MemoryMiB));
        }
    }

    [Fact]
    public void Profile_ResourceName_IsTheDevicePluginsMixedStrategyName()
    {
        Assert.True(Geometry("H100").TryGetProfile("3g.40gb", out var profile));

        Assert.Equal("nvidia.com/mig-3g.40gb", profile.ResourceName);
        Assert.Equal("3g.40gb", GpuResourceNames.MigProfileOf(profile.ResourceName));
        Assert.Null(GpuResourceNames.MigProfileOf("nvidia.com/gpu"));
    }

    [Theory]
    [InlineData("3g.40gb@x", "start 'x'")]
    [InlineData("@4", "has no profile")]
    [InlineData("nvidia.com/mig-3g.40gb", "write the profile alone, such as '3g.40gb'")]
    [InlineData("3g.40gb@-1", "start '-1'")]
    public void Parse_MalformedInstance_ThrowsNamingTheFix(string entry, string mentions)
    {
        var error = Assert.Throws<FormatException>(() => MigLayout.Parse([entry]));

        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every layout the geometry accepts fits the hardware: at most 8 memory slices and 7 compute slices in use,
    /// each slice owned by one instance. Checked on random placed layouts, independently of the checker's code.
    /// </summary>
    [Fact]
    public void Problem_RandomLayouts_AcceptedOnesNeverOverlapOrExceedTheGpu()
    {
        var models = MigGeometries.Models.ToArray();
        var instance = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 7]);
        Gen.Select(Gen.Int[0, models.Length - 1], instance.Array[0, 9]).Sample((m, picks) =>
        {
            var geometry = Geometry(models[m]);
            var layout = new MigLayout(picks.Select(p => new MigInstance(geometry.Profiles[p.Item1].Name, p.Item2)).ToArray());

            if (geometry.Problem(layout) is not null)
            {
                return true;
            }

            var owners = new int[geometry.MemorySlices];
            var compute = 0;
            foreach (var i in layout.Instances)
            {
                Assert.True(geometry.TryGetProfile(i.Profile, out var profile));
                compute += profile.ComputeSlices;
                for (var s = i.Start!.Value; s < i.Start.Value + profile.MemorySlices; s++)
                {
                    owners[s]++;
                }
            }

            return owners.All(o => o <= 1) && compute <= geometry.ComputeSlices && layout.Instances.Count <= geometry.MaxInstances;
        }, iter: 20_000);
    }

    /// <summary>Arranging never changes what is asked, and any arranged layout is one the checker accepts.</summary>
    [Fact]
    public void TryArrange_RandomRequests_ResultIsValidAndKeepsTheProfiles()
    {
        var geometry = Geometry("H100");
        Gen.Int[0, 6].Array[0, 8].Sample(picks =>
        {
            var asked = MigLayout.Parse(picks.Select(p => geometry.Profiles[p].Name));
            if (!geometry.TryArrange(asked, out var arranged, out _))
            {
                return true;
            }

            return arranged.IsPlaced
                && geometry.Problem(arranged) is null
                && arranged.Instances.Select(i => i.Profile).SequenceEqual(asked.Instances.Select(i => i.Profile));
        }, iter: 5_000);
    }

    private static MigGeometry Geometry(string model)
    {
        Assert.True(MigGeometries.TryGet(model, out var geometry), $"{model} has MIG geometry");
        return geometry;
    }
}
