using Berth.Kubernetes.Cache;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Dra;

/// <summary>The informers of the four DRA kinds, kept together so that the cluster cache adds them as one.</summary>
public sealed class DraInformers
{
    public DraInformers(IKubernetes client, Action changed, ILogger logger, TimeProvider time)
    {
        Slices = new Informer<V1ResourceSlice>(DraSources.Slices(client, time), changed, logger, time);
        Classes = new Informer<V1DeviceClass>(DraSources.Classes(client, time), changed, logger, time);
        Claims = new Informer<Resourcev1ResourceClaim>(DraSources.Claims(client, time), changed, logger, time);
        Templates = new Informer<V1ResourceClaimTemplate>(DraSources.Templates(client, time), changed, logger, time);
    }

    public Informer<V1ResourceSlice> Slices { get; }

    public Informer<V1DeviceClass> Classes { get; }

    public Informer<Resourcev1ResourceClaim> Claims { get; }

    public Informer<V1ResourceClaimTemplate> Templates { get; }

    public Task Synced => Task.WhenAll(Slices.Synced, Classes.Synced, Claims.Synced, Templates.Synced);

    public int Lists => Slices.Lists + Classes.Lists + Claims.Lists + Templates.Lists;

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Slices.RunAsync(cancellationToken), Classes.RunAsync(cancellationToken), Claims.RunAsync(cancellationToken), Templates.RunAsync(cancellationToken));

    public DraObjects Snapshot() => new()
    {
        Slices = Slices.Snapshot(),
        Classes = Classes.Snapshot(),
        Claims = Claims.Snapshot(),
        Templates = Templates.Snapshot(),
    };
}
