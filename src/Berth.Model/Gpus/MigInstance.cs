namespace Berth.Model.Gpus;

/// <summary>
/// One MIG GPU instance in a layout: a profile (for example <c>3g.40gb</c>) at a start offset in the GPU's
/// memory slices. <see cref="Start"/> is null when the layout leaves the placement to Berth (as
/// <c>nvidia-smi mig -cgi</c> does without an explicit placement).
/// </summary>
public readonly record struct MigInstance(string Profile, int? Start)
{
    /// <summary>The instance as written in files: <c>3g.40gb@4</c>, or just <c>3g.40gb</c> without a start.</summary>
    public override string ToString() => Start is { } s ? $"{Profile}@{s}" : Profile;
}
