using System.Collections.Concurrent;
using Cel;
using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// Compiles the CEL device selectors of DeviceClasses and ResourceClaims with the <c>Cel</c> package (a real CEL
/// implementation: its ANTLR grammar and evaluator, not a hand parser), once per field and expression.
/// <para>
/// The expression sees <c>device</c> as Kubernetes defines it: <c>device.driver</c>, <c>device.attributes["domain"].name</c>
/// (int, bool, string; a version as its string), <c>device.capacity["domain"].name</c> (a quantity) and
/// <c>device.allowMultipleAllocations</c>. Quantities compare through <c>quantity("80Gi")</c> and the methods
/// <c>compareTo</c>, <c>isGreaterThan</c>, <c>isLessThan</c>, <c>asInteger</c> and <c>asApproximateFloat</c>, registered
/// here because the package does not ship Kubernetes' CEL libraries. Not available: <c>semver(...)</c> and Kubernetes'
/// other CEL extensions.
/// </para>
/// Thread-safe: the planner and the read-only views may evaluate at once.
/// </summary>
internal sealed class DeviceSelectorEvaluator
{
    private readonly CelEnvironment _environment = NewEnvironment();
    private readonly ConcurrentDictionary<(string Field, string Expression), CompiledSelector> _compiled = new();
    private readonly Lock _gate = new();

    /// <summary>One evaluator for the process: compiled selectors are reused from decision to decision.</summary>
    public static DeviceSelectorEvaluator Shared { get; } = new();

    /// <summary>The selector written at <paramref name="field"/>; its <see cref="CompiledSelector.Error"/> says when it does not compile.</summary>
    public CompiledSelector Compile(string field, string? expression)
    {
        var text = expression ?? string.Empty;
        return _compiled.GetOrAdd((field, text), key =>
        {
            if (string.IsNullOrWhiteSpace(key.Expression))
            {
                return new CompiledSelector(key.Field, key.Expression, null, "it is empty");
            }

            lock (_gate)
            {
                try
                {
                    return new CompiledSelector(key.Field, key.Expression, _environment.Compile(key.Expression), null);
                }
#pragma warning disable CA1031 // the parser reports syntax errors as its own exception types; each becomes the field's error
                catch (Exception e)
#pragma warning restore CA1031
                {
                    return new CompiledSelector(key.Field, key.Expression, null, e.Message);
                }
            }
        });
    }

    /// <summary>The quantity a CEL expression compares capacities with; throws (a CEL runtime error) for an unreadable text.</summary>
    internal static CelQuantity ParseQuantity(string text)
    {
        try
        {
            return new CelQuantity(new ResourceQuantity(text).ToDecimal());
        }
        catch (FormatException)
        {
            throw new ArgumentException($"quantity(\"{text}\") is not a Kubernetes quantity such as \"80Gi\" or \"500m\"");
        }
    }

    private static CelEnvironment NewEnvironment()
    {
        var environment = new CelEnvironment(null, null);
        environment.RegisterFunction("quantity", [typeof(string)], args => ParseQuantity((string)args[0]!));
        environment.RegisterFunction("compareTo", [typeof(CelQuantity), typeof(CelQuantity)], args => (long)Q(args, 0).CompareTo(Q(args, 1)));
        environment.RegisterFunction("isGreaterThan", [typeof(CelQuantity), typeof(CelQuantity)], args => Q(args, 0) > Q(args, 1));
        environment.RegisterFunction("isLessThan", [typeof(CelQuantity), typeof(CelQuantity)], args => Q(args, 0) < Q(args, 1));
        environment.RegisterFunction("asInteger", [typeof(CelQuantity)], args => (long)decimal.Truncate(Q(args, 0)));
        environment.RegisterFunction("asApproximateFloat", [typeof(CelQuantity)], args => (double)Q(args, 0));
        return environment;
    }

    private static decimal Q(object?[] args, int i) => ((CelQuantity)args[i]!).Value;
}
