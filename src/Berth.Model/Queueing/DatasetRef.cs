namespace Berth.Model.Queueing;

/// <summary>
/// A dataset a workload reads, by name and size. The size is what a node that does not cache the dataset must
/// fetch before the workload's pod can start there, and what placement weighs when it prefers nodes that hold the
/// data; so a reference without a size is refused rather than guessed.
/// </summary>
/// <param name="Name">The dataset's name, as nodes report it in their cache (<see cref="Node.CachedDatasets"/>).</param>
/// <param name="SizeGb">Its size in GB (10^9 bytes); more than 0.</param>
public sealed record DatasetRef(string Name, double SizeGb)
{
    /// <summary>What is wrong with this reference, naming the field and the fix; null when it is valid.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return "a dataset has no name; name it as nodes report it in their cache (datasets: [{name: imagenet, sizeGb: 150}])";
        }

        if (!(SizeGb > 0) || double.IsInfinity(SizeGb))
        {
            return $"dataset {Name} has no size (sizeGb is {SizeGb}); give its size in GB, such as sizeGb: 150 (imagenet=150Gi on Kubernetes)";
        }

        return null;
    }
}
