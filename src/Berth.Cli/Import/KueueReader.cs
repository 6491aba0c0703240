using System.Globalization;
using System.Numerics;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Cli.Import;

/// <summary>
/// Reads Kueue manifests (kueue.x-k8s.io v1beta1 and v1beta2; Cohort also v1alpha1): ClusterQueue, LocalQueue,
/// ResourceFlavor, Cohort and WorkloadPriorityClass, in files of one or more documents or <c>kind: List</c>,
/// into a <see cref="KueueImport"/>. What has an equivalent in Berth is converted (resource names to gpu, cpu
/// and memory; quantities to Berth's units); every other field gets a note. Malformed YAML, an object without
/// a name and bad quantities are <see cref="InputException"/>s naming the file and line.
/// </summary>
internal static class KueueReader
{
    public const string Group = "kueue.x-k8s.io";

    private static readonly string[] Kinds = ["ClusterQueue", "LocalQueue", "ResourceFlavor", "Cohort", "WorkloadPriorityClass"];

    public static KueueImport Read(IReadOnlyList<string> files)
    {
        var manifests = new List<KueueManifest>();
        var import = new KueueImport();
        foreach (var file in files)
        {
            manifests.AddRange(Load(file, import));
        }

        foreach (var kind in Kinds)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var m in manifests.Where(m => m.Kind == kind))
            {
                var key = m.Namespace is null ? m.Name : $"{m.Namespace}/{m.Name}";
                if (seen.TryGetValue(key, out var first))
                {
                    throw new InputException(m.File, m.Line, "metadata.name", $"{kind} {key} is defined twice (first at {first}); keep one");
                }

                seen[key] = $"{m.File}:{m.Line}";
            }
        }

        foreach (var m in manifests.Where(m => m.Kind == "ResourceFlavor"))
        {
            import.Flavors.Add(Flavor(m, import.Notes));
        }

        foreach (var m in manifests.Where(m => m.Kind == "WorkloadPriorityClass"))
        {
            import.PriorityClasses.Add(PriorityClass(m, import.Notes));
        }

        foreach (var m in manifests.Where(m => m.Kind == "Cohort"))
        {
            import.Cohorts.Add(Cohort(m, import.Notes));
        }

        foreach (var m in manifests.Where(m => m.Kind == "ClusterQueue"))
        {
            import.Queues.Add(Queue(m, import.Notes));
        }

        // A cohort that ClusterQueues (or other cohorts) only name is a plain name in Kueue; Berth declares it.
        foreach (var name in import.Queues.Select(q => q.Cohort).Concat(import.Cohorts.Select(c => c.Parent)).OfType<string>().Distinct(StringComparer.Ordinal).ToArray())
        {
            if (import.Cohorts.All(c => c.Name != name))
            {
                import.Cohorts.Add(new ImportedCohort(name, null, null, []));
            }
        }

        // Flavors named by quotas but not defined: Kueue marks the ClusterQueue inactive; Berth needs the flavor.
        foreach (var name in import.Queues.SelectMany(q => q.Flavors).Concat(import.Cohorts.SelectMany(c => c.Quotas)).Select(f => f.Flavor).Distinct(StringComparer.Ordinal).ToArray())
        {
            if (import.Flavors.All(f => f.Name != name))
            {
                import.Flavors.Add(new ImportedFlavor(name, [], [], []));
                import.Notes.Add($"ResourceFlavor {name} is used by a quota but not among the files; declared with no node labels (every node matches): give its ResourceFlavor too, or add nodeLabels");
            }
        }

        foreach (var m in manifests.Where(m => m.Kind == "LocalQueue"))
        {
            LocalQueue(m, import);
        }

        return import;
    }

    private static List<KueueManifest> Load(string path, KueueImport import)
    {
        if (Directory.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, "is a folder; give the manifest files (e.g. queues/*.yaml)");
        }

        if (!File.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, "file not found; check the path");
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlException e)
        {
            throw new InputException(path, (int)Math.Max(1, e.Start.Line), string.Empty, $"the file is not valid YAML ({(e.InnerException ?? e).Message.Split("): ").Last()}); fix the syntax near this line");
        }

        var found = new List<KueueManifest>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue; // an empty document (a trailing '---')
            }

            if (document.RootNode is not YamlMappingNode root)
            {
                throw new InputException(path, document.RootNode.Line(), string.Empty, "a document is not a mapping; each must be a Kubernetes object with apiVersion and kind");
            }

            if (root.Text("kind") == "List")
            {
                foreach (var item in root.List("items"))
                {
                    if (item is YamlMappingNode map)
                    {
                        Add(path, map, found, import);
                    }
                }
            }
            else
            {
                Add(path, root, found, import);
            }
        }

        return found;
    }

    private static void Add(string path, YamlMappingNode root, List<KueueManifest> found, KueueImport import)
    {
        var apiVersion = root.Text("apiVersion");
        var kind = root.Text("kind");
        if (apiVersion is null || kind is null)
        {
            throw new InputException(path, root.Line(), apiVersion is null ? "apiVersion" : "kind", "not a Kubernetes object: it needs apiVersion and kind (e.g. apiVersion: kueue.x-k8s.io/v1beta1, kind: ClusterQueue)");
        }

        var metadata = root.Map("metadata");
        var name = metadata?.Text("name") ?? string.Empty;
        if (!apiVersion.StartsWith(Group + "/", StringComparison.Ordinal))
        {
            import.Notes.Add($"{path}:{root.Line()}: {kind} {name}: not a Kueue object ({apiVersion}); skipped");
            return;
        }

        var version = apiVersion[(Group.Length + 1)..];
        if (!Kinds.Contains(kind, StringComparer.Ordinal))
        {
            import.Notes.Add($"{path}:{root.Line()}: {kind} {name}: Berth has no equivalent of a Kueue {kind}; skipped");
            return;
        }

        if (version is not ("v1beta1" or "v1beta2") && !(kind == "Cohort" && version == "v1alpha1"))
        {
            throw new InputException(path, root.LineOf("apiVersion"), "apiVersion", $"{apiVersion} is not a Kueue version berth reads; use kueue.x-k8s.io/v1beta1 or v1beta2 (v1alpha1 for Cohort)");
        }

        if (name.Length == 0)
        {
            throw new InputException(path, root.Line(), "metadata.name", $"the {kind} has no metadata.name; every object needs one");
        }

        found.Add(new KueueManifest(path, root.Line(), apiVersion, kind, name, metadata?.Text("namespace"), root));
    }

    private static ImportedFlavor Flavor(KueueManifest m, List<string> notes)
    {
        var spec = m.Root.Map("spec") ?? new YamlMappingNode();
        Unmapped(m, spec, "spec", ["nodeLabels", "nodeTaints", "tolerations"], notes, new()
        {
            ["topologyName"] = "Berth places gangs by its own topology labels (rack, NVLink domain); there is no Topology object; left out",
        });
        return new ImportedFlavor(m.Name, Pairs(spec.Map("nodeLabels")), Entries(spec, "nodeTaints", ["key", "value", "effect"], m, notes), Entries(spec, "tolerations", ["key", "operator", "value", "effect"], m, notes));
    }

    private static ImportedPriorityClass PriorityClass(KueueManifest m, List<string> notes)
    {
        Unmapped(m, m.Root, string.Empty, ["apiVersion", "kind", "metadata", "value", "description"], notes, []);
        var text = m.Root.Text("value") ?? throw new InputException(m.File, m.Line, "value", $"WorkloadPriorityClass {m.Name} has no value; add 'value: 1000'");
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new InputException(m.File, m.Root.LineOf("value"), "value", $"'{text}' is not a whole number; a priority value is an integer such as 1000");
        }

        return new ImportedPriorityClass(m.Name, value, m.Root.Text("description"));
    }

    private static ImportedCohort Cohort(KueueManifest m, List<string> notes)
    {
        var spec = m.Root.Map("spec") ?? new YamlMappingNode();
        Unmapped(m, spec, "spec", ["parent", "parentName", "resourceGroups", "fairSharing"], notes, []);
        var fair = spec.Map("fairSharing");
        if (fair is not null)
        {
            Unmapped(m, fair, "spec.fairSharing", ["weight"], notes, []);
        }

        return new ImportedCohort(m.Name, spec.Text("parentName") ?? spec.Text("parent"), fair?.Text("weight") is { } w ? Weight(m, w) : null, ResourceGroups(m, spec, notes));
    }

    private static ImportedQueue Queue(KueueManifest m, List<string> notes)
    {
        var spec = m.Root.Map("spec") ?? new YamlMappingNode();
        Unmapped(m, spec, "spec", ["resourceGroups", "cohort", "cohortName", "queueingStrategy", "stopPolicy", "fairSharing", "preemption", "flavorFungibility", "admissionChecks"], notes, new()
        {
            ["namespaceSelector"] = "not carried over: copy the selector into the Berth Queue's spec.namespaceSelector by hand (docs/KUBERNETES.md); without one the queue takes workloads from every namespace",
            ["admissionChecksStrategy"] = "per-flavor admission checks are not supported; list the checks under admissionChecks to apply them to every flavor",
            ["admissionScope"] = "admission fair sharing (ordering within a queue by LocalQueue usage) is not supported; workloads are ordered by priority and age",
            ["excludeResourcePrefixes"] = "Berth accounts only gpu, cpu and memory; other resources are not limited anyway",
        });
        var fair = spec.Map("fairSharing");
        if (fair is not null)
        {
            Unmapped(m, fair, "spec.fairSharing", ["weight"], notes, []);
        }

        var preemption = spec.Map("preemption");
        string? within = null, reclaim = null;
        if (preemption is not null)
        {
            Unmapped(m, preemption, "spec.preemption", ["withinClusterQueue", "reclaimWithinCohort"], notes, new()
            {
                ["borrowWithinCohort"] = "preempting while borrowing is not a queue setting in Berth (fair-share preemption covers it with --profiles ...+preemption); left out",
            });
            within = Choice(m, preemption, "withinClusterQueue", ["Never", "LowerPriority", "LowerOrNewerEqualPriority"]);
            reclaim = Choice(m, preemption, "reclaimWithinCohort", ["Never", "LowerPriority", "Any"]);
        }

        var fungibility = spec.Map("flavorFungibility");
        bool? borrowFirst = null, preemptFirst = null;
        if (fungibility is not null)
        {
            Unmapped(m, fungibility, "spec.flavorFungibility", ["whenCanBorrow", "whenCanPreempt"], notes, []);

            // v1beta1: Borrow | TryNextFlavor; v1beta2 renamed Borrow to MayStopSearch. Preempt | TryNextFlavor.
            borrowFirst = Choice(m, fungibility, "whenCanBorrow", ["Borrow", "MayStopSearch", "TryNextFlavor"]) is { } b ? b != "TryNextFlavor" : null;
            preemptFirst = Choice(m, fungibility, "whenCanPreempt", ["Preempt", "MayStopSearch", "TryNextFlavor"]) is { } p ? p != "TryNextFlavor" : null;
        }

        var checks = spec.List("admissionChecks").OfType<YamlScalarNode>().Select(s => s.Value).OfType<string>().ToArray();
        return new ImportedQueue
        {
            Name = m.Name,
            Cohort = spec.Text("cohortName") ?? spec.Text("cohort"),
            Weight = fair?.Text("weight") is { } w ? Weight(m, w) : null,
            Strategy = Choice(m, spec, "queueingStrategy", ["StrictFIFO", "BestEffortFIFO"]),
            StopPolicy = Choice(m, spec, "stopPolicy", ["None", "Hold", "HoldAndDrain"]),
            WithinQueue = within,
            Reclaim = reclaim,
            BorrowBeforeNextFlavor = borrowFirst,
            PreemptBeforeNextFlavor = preemptFirst,
            AdmissionChecks = checks,
            Flavors = ResourceGroups(m, spec, notes),
        };
    }

    private static void LocalQueue(KueueManifest m, KueueImport import)
    {
        var spec = m.Root.Map("spec") ?? new YamlMappingNode();
        Unmapped(m, spec, "spec", ["clusterQueue"], import.Notes, new()
        {
            ["stopPolicy"] = "Berth holds or drains whole queues (the ClusterQueue's stopPolicy), not one namespace's LocalQueue; left out",
            ["fairSharing"] = "admission fair sharing between LocalQueues is not supported; left out",
        });
        var target = spec.Text("clusterQueue") ?? throw new InputException(m.File, m.Line, "spec.clusterQueue", $"LocalQueue {m.Namespace}/{m.Name} has no spec.clusterQueue; name the ClusterQueue it feeds");
        if (import.Queues.All(q => q.Name != target))
        {
            import.Notes.Add($"{m.Where}: spec.clusterQueue: ClusterQueue {target} is not among the files; give its manifest too");
        }

        import.LocalQueues.Add(m.Name == target
            ? $"{m.Namespace ?? "default"}/{m.Name} -> queue {target}"
            : $"{m.Namespace ?? "default"}/{m.Name} -> queue {target} (workloads labelled kueue.x-k8s.io/queue-name: {m.Name} must name queue {target} in Berth)");
    }

    /// <summary>resourceGroups flattened to one quota entry per flavor (in first-seen order), resources renamed to Berth's.</summary>
    private static List<ImportedFlavorQuotas> ResourceGroups(KueueManifest m, YamlMappingNode spec, List<string> notes)
    {
        var result = new List<(string Flavor, List<ImportedQuota> Resources)>();
        foreach (var group in spec.List("resourceGroups").OfType<YamlMappingNode>())
        {
            foreach (var flavor in group.List("flavors").OfType<YamlMappingNode>())
            {
                var name = flavor.Text("name") ?? throw new InputException(m.File, flavor.Line(), "name", $"a flavor of {m.Kind} {m.Name} has no name; name its ResourceFlavor");
                var entry = result.FirstOrDefault(r => r.Flavor == name);
                if (entry.Flavor is null)
                {
                    entry = (name, []);
                    result.Add(entry);
                }

                foreach (var resource in flavor.List("resources").OfType<YamlMappingNode>())
                {
                    var kubeName = resource.Text("name") ?? string.Empty;
                    var berth = ResourceName(kubeName);
                    if (berth is null)
                    {
                        notes.Add($"{m.File}:{resource.Line()}: {m.Kind} {m.Name}: quota of '{kubeName}' in flavor {name}: Berth accounts gpu, cpu and memory only; left out");
                        continue;
                    }

                    if (entry.Resources.Any(r => r.Resource == berth))
                    {
                        notes.Add($"{m.File}:{resource.Line()}: {m.Kind} {m.Name}: quota of '{kubeName}' in flavor {name}: a second GPU resource; Berth counts one kind of GPU per flavor; left out");
                        continue;
                    }

                    entry.Resources.Add(new ImportedQuota(
                        berth,
                        Amount(m, resource, "nominalQuota", berth, notes) ?? "0",
                        Amount(m, resource, "borrowingLimit", berth, notes),
                        Amount(m, resource, "lendingLimit", berth, notes)));
                }
            }
        }

        return result.Select(r => new ImportedFlavorQuotas(r.Flavor, r.Resources)).ToList();
    }

    private static string? ResourceName(string kubernetes) => kubernetes switch
    {
        "cpu" => "cpu",
        "memory" => "memory",
        _ when kubernetes.EndsWith("/gpu", StringComparison.Ordinal) => "gpu",
        _ => null,
    };

    private static string? Amount(KueueManifest m, YamlMappingNode resource, string field, string berth, List<string> notes)
    {
        var text = resource.Text(field);
        if (text is null)
        {
            return null;
        }

        var converted = berth switch
        {
            "memory" => MemoryMiB(text, out var exact) is { } mib ? Rounded(Memory(mib), exact) : null,
            "cpu" => ScenarioUnits.TryParseCpu(text, out var milli) ? Cpu(milli) : null,
            _ => ScenarioUnits.TryParseDecimal(text, 1000, out var gpuMilli) && gpuMilli >= 0 ? Cpu(gpuMilli) : null,
        };
        if (converted is not null && converted.EndsWith('~'))
        {
            converted = converted[..^1];
            notes.Add($"{m.File}:{resource.LineOf(field)}: {m.Kind} {m.Name}: {field} {text} of memory is not whole MiB; rounded up to {converted}");
        }

        return converted ?? throw new InputException(m.File, resource.LineOf(field), field,
            $"'{PrintableText.Of(text)}' is not a {berth} quantity Berth can read; write it as Kubernetes does ({(berth == "memory" ? "512Mi, 64Gi, 1Ti, 2G" : berth == "cpu" ? "96, 0.5, 500m" : "8")}) in whole {(berth == "memory" ? "MiB" : "milli-units")}");
    }

    /// <summary>MiB in the largest binary unit that keeps it whole: 2Ti, 64Gi, 1536Mi.</summary>
    private static string Memory(long mib) => mib switch
    {
        0 => "0",
        _ when mib % (1024 * 1024) == 0 => (mib / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "Ti",
        _ when mib % 1024 == 0 => (mib / 1024).ToString(CultureInfo.InvariantCulture) + "Gi",
        _ => mib.ToString(CultureInfo.InvariantCulture) + "Mi",
    };

    /// <summary>Milli-units as cores or GPUs, the way scenario quotas take them: 96, 0.5.</summary>
    private static string Cpu(long milli) => (milli / 1000m).ToString(CultureInfo.InvariantCulture);

    /// <summary>Marks a rounded amount for <see cref="Amount"/> to note.</summary>
    private static string Rounded(string amount, bool exact) => exact ? amount : amount + "~";

    /// <summary>
    /// A Kubernetes memory quantity (64Gi, 512Mi, 2G, 1073741824 bytes) in MiB, rounded up to a whole MiB
    /// (<paramref name="exact"/> false then: 2G is 1907.3 MiB); null when it is not a quantity.
    /// </summary>
    internal static long? MemoryMiB(string text, out bool exact)
    {
        exact = true;
        var t = text.Trim();
        (string Suffix, BigInteger Factor)[] suffixes =
        [
            ("Ki", BigInteger.Pow(1024, 1)), ("Mi", BigInteger.Pow(1024, 2)), ("Gi", BigInteger.Pow(1024, 3)), ("Ti", BigInteger.Pow(1024, 4)), ("Pi", BigInteger.Pow(1024, 5)),
            ("k", BigInteger.Pow(1000, 1)), ("M", BigInteger.Pow(1000, 2)), ("G", BigInteger.Pow(1000, 3)), ("T", BigInteger.Pow(1000, 4)), ("P", BigInteger.Pow(1000, 5)),
        ];
        var factor = BigInteger.One;
        foreach (var (suffix, f) in suffixes)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                t = t[..^suffix.Length];
                factor = f;
                break;
            }
        }

        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            return null;
        }

        var scale = (int)((decimal.GetBits(number)[3] >> 16) & 0xFF);
        var mantissa = new BigInteger(number * (decimal)Math.Pow(10, scale));
        var bytes = mantissa * factor;
        var divisor = BigInteger.Pow(10, scale) * BigInteger.Pow(1024, 2);
        var mib = BigInteger.DivRem(bytes, divisor, out var rest);
        if (!rest.IsZero)
        {
            exact = false;
            mib += 1;
        }

        return mib <= long.MaxValue ? (long)mib : null;
    }

    private static string Weight(KueueManifest m, string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var w) && w > 0
            ? w.ToString(CultureInfo.InvariantCulture)
            : ScenarioUnits.TryParseDecimal(text, 1000, out var milli) && milli > 0
                ? (milli / 1000m).ToString(CultureInfo.InvariantCulture)
                : throw new InputException(m.File, m.Line, "fairSharing.weight", $"'{PrintableText.Of(text)}' is not a weight Berth can use; give a number more than 0 (Berth has no weight 0: a queue that never gets a fair share)");

    private static string? Choice(KueueManifest m, YamlMappingNode map, string field, string[] allowed)
    {
        var text = map.Text(field);
        if (text is null)
        {
            return null;
        }

        return allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new InputException(m.File, map.LineOf(field), field, $"'{PrintableText.Of(text)}' is not a value Kueue allows here; write one of {string.Join(", ", allowed)}");
    }

    /// <summary>A note for every field of <paramref name="map"/> outside <paramref name="mapped"/>, with the reason where one is known.</summary>
    private static void Unmapped(KueueManifest m, YamlMappingNode map, string path, string[] mapped, List<string> notes, Dictionary<string, string> reasons)
    {
        foreach (var key in map.Keys())
        {
            if (mapped.Contains(key, StringComparer.Ordinal) || (path.Length == 0 && key is "status"))
            {
                continue;
            }

            var field = path.Length == 0 ? key : $"{path}.{key}";
            var why = reasons.TryGetValue(key, out var reason) ? reason : "no equivalent in Berth; left out";
            notes.Add($"{m.File}:{map.LineOf(key)}: {m.Kind} {(m.Namespace is null ? m.Name : $"{m.Namespace}/{m.Name}")}: {field}: {why}");
        }
    }

    private static List<KeyValuePair<string, string>> Pairs(YamlMappingNode? map) =>
        map is null ? [] : map.Children.Where(c => c.Key is YamlScalarNode && c.Value is YamlScalarNode)
            .Select(c => new KeyValuePair<string, string>(((YamlScalarNode)c.Key).Value ?? string.Empty, ((YamlScalarNode)c.Value).Value ?? string.Empty)).ToList();

    private static List<IReadOnlyList<KeyValuePair<string, string>>> Entries(YamlMappingNode spec, string field, string[] keys, KueueManifest m, List<string> notes)
    {
        var result = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        foreach (var entry in spec.List(field).OfType<YamlMappingNode>())
        {
            Unmapped(m, entry, $"spec.{field}[{result.Count}]", keys, notes, new()
            {
                ["tolerationSeconds"] = "Berth's tolerations have no time limit; left out",
                ["timeAdded"] = "left out",
            });
            result.Add(keys.Where(k => entry.Text(k) is not null).Select(k => new KeyValuePair<string, string>(k, entry.Text(k)!)).ToList());
        }

        return result;
    }
}
