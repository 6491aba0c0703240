using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Cli.Import;

/// <summary>
/// Writes a <see cref="KueueImport"/> as YAML: the queueing sections of a scenario file (flavors, cohorts,
/// priorityClasses, admissionChecks, queues), or Berth's Kubernetes objects (Flavor, Cohort, Queue of
/// berth.dev/v1alpha1 and scheduling.k8s.io PriorityClasses). Notes head the text as comments.
/// </summary>
internal static partial class KueueWriter
{
    public static string Scenario(KueueImport import, IReadOnlyList<string> files)
    {
        // Scenario flavors pick nodes by label; taints belong to the node groups of the scenario's cluster.
        foreach (var f in import.Flavors.Where(f => f.NodeTaints.Count > 0))
        {
            import.Notes.Add($"ResourceFlavor {f.Name}: spec.nodeTaints: a scenario's flavors carry no node taints; put them on the node groups (cluster.nodeGroups[].taints); the flavor's tolerations are kept");
        }

        foreach (var p in import.PriorityClasses.Where(p => p.Description is not null))
        {
            import.Notes.Add($"WorkloadPriorityClass {p.Name}: description: a scenario's priority classes have no description; kept only with --to crds");
        }

        var text = new StringBuilder();
        Header(text, import, files, "Queueing sections of a Berth scenario (docs/FORMATS.md#scenario-file): add 'kind: Scenario', a name,\n# a cluster and workloads, then run it with 'berth simulate --scenario FILE'.");
        if (import.Flavors.Count > 0)
        {
            text.Append("flavors:\n");
            foreach (var f in import.Flavors)
            {
                text.Append(CultureInfo.InvariantCulture, $"  - name: {Q(f.Name)}\n");
                Map(text, "    ", "nodeLabels", f.NodeLabels);
                List(text, "    ", "tolerations", f.Tolerations);
            }
        }

        if (import.Cohorts.Count > 0)
        {
            text.Append("cohorts:\n");
            foreach (var c in import.Cohorts)
            {
                text.Append(CultureInfo.InvariantCulture, $"  - name: {Q(c.Name)}\n");
                Field(text, "    ", "parent", c.Parent);
                Field(text, "    ", "weight", c.Weight);
                ScenarioQuotas(text, "    ", "quotas", c.Quotas);
            }
        }

        if (import.PriorityClasses.Count > 0)
        {
            text.Append("priorityClasses:\n");
            foreach (var p in import.PriorityClasses)
            {
                text.Append(CultureInfo.InvariantCulture, $"  - name: {Q(p.Name)}\n    value: {p.Value}\n");
            }
        }

        if (import.AdmissionChecks.Any())
        {
            text.Append("# Kueue's admission checks are external controllers: here each answers Ready at once; set delay and retryTimes to model it.\n");
            text.Append("admissionChecks:\n");
            foreach (var check in import.AdmissionChecks)
            {
                text.Append(CultureInfo.InvariantCulture, $"  - name: {Q(check)}\n");
            }
        }

        if (import.Queues.Count > 0)
        {
            text.Append("queues:\n");
            foreach (var q in import.Queues)
            {
                text.Append(CultureInfo.InvariantCulture, $"  - name: {Q(q.Name)}\n");
                Field(text, "    ", "cohort", q.Cohort);
                Field(text, "    ", "weight", q.Weight);
                Field(text, "    ", "strategy", q.Strategy);
                Field(text, "    ", "stopPolicy", q.StopPolicy);
                if (q.WithinQueue is not null || q.Reclaim is not null)
                {
                    text.Append("    preemption:\n");
                    Field(text, "      ", "withinQueue", q.WithinQueue);
                    Field(text, "      ", "reclaim", q.Reclaim);
                }

                Fungibility(text, q);
                Strings(text, "    ", "admissionChecks", q.AdmissionChecks);
                ScenarioQuotas(text, "    ", "flavors", q.Flavors);
            }
        }

        return text.ToString();
    }

    public static string Crds(KueueImport import, IReadOnlyList<string> files)
    {
        var text = new StringBuilder();
        Header(text, import, files, "Berth's Kubernetes objects (docs/KUBERNETES.md): kubectl apply -f deploy/crds/ first, then this file.");
        var first = true;
        void Object(string apiVersion, string kind, string name)
        {
            text.Append(first ? string.Empty : "---\n");
            first = false;
            text.Append(CultureInfo.InvariantCulture, $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: {Q(name)}\n");
        }

        foreach (var f in import.Flavors)
        {
            Object("berth.dev/v1alpha1", "Flavor", f.Name);
            text.Append("spec:\n");
            if (f.NodeLabels.Count == 0 && f.NodeTaints.Count == 0 && f.Tolerations.Count == 0)
            {
                text.Append("  nodeLabels: {}\n");
            }

            Map(text, "  ", "nodeLabels", f.NodeLabels);
            List(text, "  ", "nodeTaints", f.NodeTaints);
            List(text, "  ", "tolerations", f.Tolerations);
        }

        foreach (var c in import.Cohorts)
        {
            Object("berth.dev/v1alpha1", "Cohort", c.Name);
            text.Append("spec:\n");
            if (c.Parent is null && c.Weight is null && c.Quotas.Count == 0)
            {
                text.Append("  weight: 1\n");
            }

            Field(text, "  ", "parent", c.Parent);
            Field(text, "  ", "weight", c.Weight);
            CrdQuotas(text, "  ", c.Quotas);
        }

        foreach (var p in import.PriorityClasses)
        {
            Object("scheduling.k8s.io/v1", "PriorityClass", p.Name);
            text.Append(CultureInfo.InvariantCulture, $"value: {p.Value}\n");
            Field(text, string.Empty, "description", p.Description);
        }

        foreach (var q in import.Queues)
        {
            Object("berth.dev/v1alpha1", "Queue", q.Name);
            text.Append("spec:\n");
            Field(text, "  ", "cohort", q.Cohort);
            Field(text, "  ", "weight", q.Weight);
            Field(text, "  ", "queueingStrategy", q.Strategy);
            Field(text, "  ", "stopPolicy", q.StopPolicy);
            if (q.WithinQueue is not null || q.Reclaim is not null)
            {
                text.Append("  preemption:\n");
                Field(text, "    ", "withinQueue", q.WithinQueue);
                Field(text, "    ", "reclaimWithinCohort", q.Reclaim);
            }

            if (q.BorrowBeforeNextFlavor is not null || q.PreemptBeforeNextFlavor is not null)
            {
                text.Append("  flavorFungibility:\n");
                Field(text, "    ", "borrowBeforeNextFlavor", q.BorrowBeforeNextFlavor);
                Field(text, "    ", "preemptBeforeNextFlavor", q.PreemptBeforeNextFlavor);
            }

            Strings(text, "  ", "admissionChecks", q.AdmissionChecks);
            if (q.Flavors.Count == 0)
            {
                text.Append("  flavors: []\n");
            }

            CrdQuotas(text, "  ", q.Flavors);
        }

        return text.ToString();
    }

    private static void Header(StringBuilder text, KueueImport import, IReadOnlyList<string> files, string what)
    {
        text.Append(CultureInfo.InvariantCulture, $"# Converted by 'berth import kueue' (berth {BerthCli.Version}) from {string.Join(", ", files.Select(Path.GetFileName))}.\n");
        text.Append("# ").Append(what).Append('\n');
        if (import.LocalQueues.Count > 0)
        {
            text.Append("# LocalQueues (namespace/name -> queue):\n");
            foreach (var local in import.LocalQueues)
            {
                text.Append("#   ").Append(local).Append('\n');
            }
        }

        if (import.Notes.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"# Not converted ({import.Notes.Count}):\n");
            foreach (var note in import.Notes)
            {
                text.Append("#   ").Append(note.Replace('\n', ' ')).Append('\n');
            }
        }
    }

    private static void Fungibility(StringBuilder text, ImportedQueue q)
    {
        if (q.BorrowBeforeNextFlavor is null && q.PreemptBeforeNextFlavor is null)
        {
            return;
        }

        text.Append("    fungibility:\n");
        Field(text, "      ", "borrowBeforeNextFlavor", q.BorrowBeforeNextFlavor);
        Field(text, "      ", "preemptBeforeNextFlavor", q.PreemptBeforeNextFlavor);
    }

    private static void ScenarioQuotas(StringBuilder text, string indent, string field, IReadOnlyList<ImportedFlavorQuotas> quotas)
    {
        if (quotas.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"{indent}{field}:\n");
        foreach (var f in quotas)
        {
            text.Append(CultureInfo.InvariantCulture, $"{indent}  - flavor: {Q(f.Flavor)}\n");
            foreach (var r in f.Resources)
            {
                text.Append(CultureInfo.InvariantCulture, $"{indent}    {r.Resource}: ");
                if (r.BorrowingLimit is null && r.LendingLimit is null)
                {
                    text.Append(Q(r.Nominal)).Append('\n');
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"{{nominal: {Q(r.Nominal)}");
                    text.Append(r.BorrowingLimit is null ? string.Empty : $", borrowingLimit: {Q(r.BorrowingLimit)}");
                    text.Append(r.LendingLimit is null ? string.Empty : $", lendingLimit: {Q(r.LendingLimit)}");
                    text.Append("}\n");
                }
            }
        }
    }

    private static void CrdQuotas(StringBuilder text, string indent, IReadOnlyList<ImportedFlavorQuotas> quotas)
    {
        if (quotas.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"{indent}flavors:\n");
        foreach (var f in quotas)
        {
            text.Append(CultureInfo.InvariantCulture, $"{indent}  - name: {Q(f.Flavor)}\n");
            if (f.Resources.Count == 0)
            {
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"{indent}    resources:\n");
            foreach (var r in f.Resources)
            {
                text.Append(CultureInfo.InvariantCulture, $"{indent}      {r.Resource}: {{nominalQuota: {Quoted(r.Nominal)}");
                text.Append(r.BorrowingLimit is null ? string.Empty : $", borrowingLimit: {Quoted(r.BorrowingLimit)}");
                text.Append(r.LendingLimit is null ? string.Empty : $", lendingLimit: {Quoted(r.LendingLimit)}");
                text.Append("}\n");
            }
        }
    }

    private static void Field(StringBuilder text, string indent, string name, string? value)
    {
        if (value is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"{indent}{name}: {Q(value)}\n");
        }
    }

    private static void Field(StringBuilder text, string indent, string name, bool? value)
    {
        if (value is { } flag)
        {
            text.Append(CultureInfo.InvariantCulture, $"{indent}{name}: {(flag ? "true" : "false")}\n");
        }
    }

    private static void Map(StringBuilder text, string indent, string name, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"{indent}{name}:\n");
        foreach (var (key, value) in pairs)
        {
            text.Append(CultureInfo.InvariantCulture, $"{indent}  {Q(key)}: {Quoted(value)}\n");
        }
    }

    private static void List(StringBuilder text, string indent, string name, IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"{indent}{name}:\n");
        foreach (var entry in entries)
        {
            var prefix = "- ";
            foreach (var (key, value) in entry)
            {
                text.Append(CultureInfo.InvariantCulture, $"{indent}  {prefix}{key}: {Quoted(value)}\n");
                prefix = "  ";
            }
        }
    }

    private static void Strings(StringBuilder text, string indent, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{indent}{name}: [{string.Join(", ", values.Select(Q))}]\n");
        }
    }

    /// <summary>Plain when YAML reads it back as the same text or number; single-quoted otherwise.</summary>
    private static string Q(string value) => Plain().IsMatch(value) && value is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "~") ? value : Quoted(value);

    /// <summary>Always a string to Kubernetes (label values like "true" or "8" must stay strings).</summary>
    private static string Quoted(string value) => Plain().IsMatch(value) && !char.IsDigit(value[0]) && value is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "~")
        ? value
        : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex Plain();
}
