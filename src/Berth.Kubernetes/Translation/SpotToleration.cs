namespace Berth.Kubernetes.Translation;

/// <summary>
/// The annotation <see cref="KubernetesNames.ToleratesSpotAnnotation"/> on a Job, PodGroup or framework object: the
/// Kubernetes spelling of <see cref="Model.Queueing.Workload.ToleratesSpot"/>. <c>"true"</c> lets a spot flavor hold the
/// workload even when it neither checkpoints nor may be preempted; <c>"false"</c> keeps it off spot flavors even when
/// it does. Absent, the model's default holds (checkpointable or preemptible work may go there).
/// </summary>
public static class SpotToleration
{
    /// <summary>
    /// The annotation's value; null when absent. A value other than <c>true</c> or <c>false</c> gives null and an
    /// <paramref name="error"/> naming the annotation and the fix: the workload is not admitted until it is fixed, since
    /// guessing either way could put work that must not lose progress on capacity the cloud takes back.
    /// </summary>
    public static bool? Read(IDictionary<string, string>? annotations, out string? error)
    {
        error = null;
        var text = ModelMapping.Get(annotations, KubernetesNames.ToleratesSpotAnnotation);
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text.Trim(), out var value))
        {
            return value;
        }

        error = $"annotation {KubernetesNames.ToleratesSpotAnnotation} is '{text}'; write \"true\" (it may run on spot flavors) or \"false\" (it never does), or remove it for the default (only checkpointing or preemptible work goes to spot)";
        return null;
    }
}
