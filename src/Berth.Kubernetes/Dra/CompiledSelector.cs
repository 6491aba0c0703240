using Cel;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// One CEL device selector, parsed once. <see cref="Field"/> is where it was written (for example
/// <c>ResourceClaim ml/train-gpus spec.devices.requests[0].exactly.selectors[1].cel.expression</c>), so that every error
/// names the field and says how to fix it.
/// </summary>
internal sealed class CompiledSelector
{
    private readonly CelProgramDelegate? _program;

    public CompiledSelector(string field, string expression, CelProgramDelegate? program, string? compileError)
    {
        Field = field;
        Expression = expression;
        _program = program;
        Error = compileError is null ? null : $"{field}: the CEL expression `{expression}` does not compile ({compileError}); write a boolean expression over `device`, for example device.attributes[\"gpu.nvidia.com\"].productName == \"NVIDIA H100 80GB HBM3\"";
    }

    public string Field { get; }

    public string Expression { get; }

    /// <summary>Why the expression does not compile, with the field and the fix; null when it does.</summary>
    public string? Error { get; }

    /// <summary>
    /// Evaluates the selector on one device. As on Kubernetes, anything but <c>true</c> or <c>false</c> (another type, or
    /// a runtime error such as an attribute the device lacks) is an error that aborts the claim's allocation.
    /// </summary>
    public SelectorOutcome Evaluate(DraDevice device)
    {
        if (_program is null)
        {
            return new SelectorOutcome(false, Error);
        }

        object? result;
        try
        {
            result = _program(device.CelVariables);
        }
#pragma warning disable CA1031 // the CEL library reports every runtime error as its own exception type; each becomes the claim's error
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new SelectorOutcome(false, $"{Field}: the CEL expression `{Expression}` fails on device {device.Id} ({e.Message}); guard attributes a device may lack with has(...) or `\"name\" in device.attributes[\"domain\"]`");
        }

        return result switch
        {
            true => SelectorOutcome.Yes,
            false => SelectorOutcome.No,
            _ => new SelectorOutcome(false, $"{Field}: the CEL expression `{Expression}` returns {Describe(result)} on device {device.Id}, not a bool; a selector must be true or false, for example compare with == or use .compareTo(quantity(\"40Gi\")) >= 0"),
        };
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"the string \"{s}\"",
        _ => $"{value} ({value.GetType().Name})",
    };
}
