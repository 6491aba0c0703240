using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Dra;
using Berth.Kubernetes.Tests.Controller;
using Berth.TestKit;
using CsCheck;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Dra;

/// <summary>
/// "Never a claim allocated twice" over random clusters: random nodes and slices (with stale pool generations), template
/// and shared claims with random counts and selectors, pods arriving and finishing; each decision's plan is applied to an
/// in-memory cluster (claims made from templates, allocations, reservations, bindings) before the next one. One seed
/// builds each case, so a failure names the seed that replays it.
/// </summary>
public sealed class DraAllocationPropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Plan_RandomSlicesClaimsAndPods_NeverPutsADeviceInTwoAllocations_NorBindsAPodWithoutItsDevices()
    {
        var decisions = 0;
        var allocations = 0;
        Gen.Int[1, int.MaxValue].Sample(seed =>
        {
            var c = new Case(seed);
            var violation = c.Run();
            Assert.True(violation is null, $"seed {seed}: {violation}");
            Interlocked.Add(ref decisions, c.Decisions);
            Interlocked.Add(ref allocations, c.Allocations);
        }, iter: PropertyRuns.Iterations(40));
        Assert.True(decisions > 0 && allocations > decisions / 4, $"{allocations} allocations in {decisions} decisions: too few to show anything");
    }

    private sealed class Case(int seed)
    {
        private static readonly string[] Selectors = ["", DraSamples.IsH100, "device.attributes[\"gpu.nvidia.com\"].productName != \"NVIDIA H100 80GB HBM3\"", "device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"40Gi\")) >= 0", "device.attributes[\"gpu.nvidia.com\"].index % 2 == 0"];
        private readonly Random _random = new(seed);
        private readonly List<V1Node> _nodes = [];
        private readonly List<V1ResourceSlice> _slices = [];
        private readonly List<V1Pod> _pods = [];
        private readonly List<Resourcev1ResourceClaim> _claims = [];
        private readonly List<V1ResourceClaimTemplate> _templates = [];
        private int _created;

        public int Decisions { get; private set; }

        public int Allocations { get; private set; }

        public string? Run()
        {
            for (var n = _random.Next(1, 5); n > 0; n--)
            {
                var name = $"node-{n}";
                _nodes.Add(Objects.GpuNode(name, gpus: 0));
                var slice = DraSamples.Slice(name, Enumerable.Range(0, _random.Next(0, 7)).Select(_ => _random.Next(2) == 0 ? DraSamples.H100 : DraSamples.A100).ToArray());
                slice.Spec.Pool.Generation = 2;
                _slices.Add(slice);
                if (_random.Next(3) == 0)
                {
                    // A stale slice of the same pool, older generation, with more devices: none of its own may be allocated.
                    var stale = DraSamples.Slice(name, DraSamples.H100, DraSamples.H100, DraSamples.H100, DraSamples.H100, DraSamples.H100, DraSamples.H100, DraSamples.H100, DraSamples.H100);
                    stale.Metadata.Name += "-old";
                    stale.Spec.Pool.Generation = 1;
                    _slices.Add(stale);
                }
            }

            for (var k = 0; k < 6; k++)
            {
                var selector = Selectors[_random.Next(Selectors.Length)];
                _templates.Add(DraSamples.Template($"t{k}", _random.Next(1, 4), selector.Length == 0 ? [] : [selector]));
            }

            for (var k = 0; k < 2; k++)
            {
                _claims.Add(DraSamples.Claim($"shared-{k}", _random.Next(1, 3), DraSamples.IsH100));
            }

            var now = Start;
            for (var step = 0; step < 8; step++)
            {
                for (var a = _random.Next(0, 4); a > 0; a--)
                {
                    AddPod(now);
                }

                if (_random.Next(2) == 0 && _pods.Count(p => p.Spec.NodeName is not null) is > 0 and var bound)
                {
                    Finish(_pods.Where(p => p.Spec.NodeName is not null).ElementAt(_random.Next(bound)));
                }

                var plan = DecisionPlanner.Plan(Snapshot(now), new ControllerOptions { RecordSeal = ControllerHarness.TestSeal });
                if ((Apply(plan) ?? Check()) is { } violation)
                {
                    return $"decision {step}: {violation}";
                }

                Decisions++;
                now += TimeSpan.FromMinutes(1);
            }

            return null;
        }

        private void AddPod(DateTimeOffset now)
        {
            var name = $"p{_created++}";
            var pod = _random.Next(5) == 0
                ? DraSamples.PodWithClaim(name, $"shared-{_random.Next(2)}")
                : DraSamples.PodWithTemplate(name, $"t{_random.Next(_templates.Count)}");
            pod.Metadata.Uid = "uid-" + name;
            pod.Metadata.CreationTimestamp = now.UtcDateTime;
            _pods.Add(pod);
        }

        // The pod ends and goes; the claim controller deletes its generated claims and takes it out of shared ones,
        // which are deallocated when no pod is left on them.
        private void Finish(V1Pod pod)
        {
            _pods.Remove(pod);
            _claims.RemoveAll(c => c.Metadata.OwnerReferences?.Any(o => o.Uid == pod.Metadata.Uid) == true);
            foreach (var claim in _claims.Where(c => c.Status?.ReservedFor is not null))
            {
                var left = claim.Status!.ReservedFor.Where(r => r.Uid != pod.Metadata.Uid).ToList();
                claim.Status.ReservedFor = left;
                if (left.Count == 0)
                {
                    claim.Status = null;
                }
            }
        }

        private ClusterSnapshot Snapshot(DateTimeOffset now) => new()
        {
            Now = now,
            Nodes = _nodes.ToArray(),
            Pods = _pods.ToArray(),
            Queues = [Objects.Queue("team-a", "a100", "64")],
            Flavors = [Objects.Flavor("a100", "a100")],
            Dra = new DraObjects { Slices = _slices.ToArray(), Classes = [DraSamples.GpuClass()], Claims = _claims.ToArray(), Templates = _templates.ToArray() },
        };

        private string? Apply(DecisionPlan plan)
        {
            foreach (var binding in plan.Bindings)
            {
                var pod = _pods.Single(p => p.Metadata.Name == binding.Pod);
                if (pod.Spec.NodeName is not null)
                {
                    return $"pod {pod.Metadata.Name} bound twice";
                }

                foreach (var write in binding.Claims ?? [])
                {
                    var claim = write.ClaimName is null ? FromTemplate(pod, write) : _claims.Single(c => c.Metadata.Name == write.ClaimName);
                    claim.Status ??= new V1ResourceClaimStatus();
                    if (write.Devices is not null)
                    {
                        if (claim.Status.Allocation is not null)
                        {
                            return $"claim {claim.Metadata.Name} allocated a second time, for pod {pod.Metadata.Name}";
                        }

                        claim.Status.Allocation = DeviceAllocator.Allocation(write.Devices, write.Node);
                        Allocations++;
                    }
                    else if (claim.Status.Allocation is null)
                    {
                        return $"pod {pod.Metadata.Name} reserves claim {claim.Metadata.Name}, which is not allocated";
                    }

                    claim.Status.ReservedFor ??= [];
                    claim.Status.ReservedFor.Add(new V1ResourceClaimConsumerReference { Resource = "pods", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid });
                }

                pod.Spec.NodeName = binding.Node;
            }

            return null;
        }

        private Resourcev1ResourceClaim FromTemplate(V1Pod pod, ClaimWrite write)
        {
            var template = write.Template!;
            var claim = DraSamples.Claim($"{pod.Metadata.Name}-{write.PodClaimName}-{_created++}", 1);
            claim.Spec = template.Spec.Spec;
            claim.Metadata.Annotations = new Dictionary<string, string> { ["resource.kubernetes.io/pod-claim-name"] = write.PodClaimName };
            claim.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid, Controller = true }];
            _claims.Add(claim);
            pod.Status ??= new V1PodStatus();
            pod.Status.ResourceClaimStatuses = [new V1PodResourceClaimStatus { Name = write.PodClaimName, ResourceClaimName = claim.Metadata.Name }];
            return claim;
        }

        private string? Check()
        {
            var current = _slices.GroupBy(s => s.Spec.Pool.Name).Select(g => g.MaxBy(s => s.Spec.Pool.Generation)!).ToList();
            var holders = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var claim in _claims.Where(c => c.Status?.Allocation is not null))
            {
                var node = claim.Status.Allocation.NodeSelector.NodeSelectorTerms[0].MatchFields[0].Values[0];
                foreach (var result in claim.Status.Allocation.Devices.Results)
                {
                    var id = $"{result.Driver}/{result.Pool}/{result.Device}";
                    if (!holders.TryAdd(id, claim.Metadata.Name))
                    {
                        return $"device {id} is in the allocations of claims {holders[id]} and {claim.Metadata.Name}";
                    }

                    if (!current.Any(s => s.Spec.NodeName == node && s.Spec.Pool.Name == result.Pool && s.Spec.Devices.Any(d => d.Name == result.Device)))
                    {
                        return $"claim {claim.Metadata.Name} holds {id}, which the current slice of node {node} does not publish";
                    }
                }
            }

            foreach (var pod in _pods.Where(p => p.Spec.NodeName is not null))
            {
                var names = pod.Spec.ResourceClaims.Select(rc => rc.ResourceClaimName ?? pod.Status?.ResourceClaimStatuses?.FirstOrDefault(s => s.Name == rc.Name)?.ResourceClaimName);
                foreach (var name in names)
                {
                    var claim = _claims.FirstOrDefault(c => c.Metadata.Name == name);
                    var node = claim?.Status?.Allocation?.NodeSelector.NodeSelectorTerms[0].MatchFields[0].Values[0];
                    if (node != pod.Spec.NodeName || claim!.Status.ReservedFor?.Any(r => r.Uid == pod.Metadata.Uid) != true)
                    {
                        return $"pod {pod.Metadata.Name} is bound to {pod.Spec.NodeName} but its claim {name} is allocated on {node ?? "no node"} or not reserved for it";
                    }
                }
            }

            return null;
        }
    }
}
