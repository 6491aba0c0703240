using Berth.Model.Queueing;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// What <see cref="QueueTranslator.Translate"/> makes of the Flavor, Cohort and Queue objects: the model
/// configuration of the valid ones, and a verdict for every object.
/// </summary>
public sealed record QueueTranslation(QueueConfiguration Configuration, IReadOnlyList<ObjectVerdict> Verdicts)
{
    /// <summary>The verdict of the object of <paramref name="kind"/> (<c>Flavor</c>, <c>Cohort</c>, <c>Queue</c>) named <paramref name="name"/>; null when no such object was given.</summary>
    public ObjectVerdict? Verdict(string kind, string name) =>
        Verdicts.FirstOrDefault(v => string.Equals(v.Kind, kind, StringComparison.Ordinal) && string.Equals(v.Name, name, StringComparison.Ordinal));

    /// <summary>The verdicts that are not Ready.</summary>
    public IReadOnlyList<ObjectVerdict> Invalid => Verdicts.Where(v => !v.Ready).ToArray();
}
