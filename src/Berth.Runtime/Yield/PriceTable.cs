using System.Globalization;

namespace Berth.Runtime.Yield;

/// <summary>
/// What one GPU-hour costs per GPU model, for showback and chargeback (configuration: the <c>prices</c> section of a
/// scenario or server configuration). A model not in the table has no price: its GPU-hours are shown, its cost is not.
/// </summary>
public sealed record PriceTable(string Currency, IReadOnlyDictionary<string, double> PerGpuHour)
{
    /// <summary>The price of one GPU-hour of <paramref name="gpuModel"/>; null when the table has none.</summary>
    public double? Price(string? gpuModel) => gpuModel is not null && PerGpuHour.TryGetValue(gpuModel, out var price) ? price : null;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field and the fix when a value cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Currency) || Currency.Length > 8)
        {
            throw new ArgumentException($"prices.currency '{Currency}': give a short currency code such as USD or EUR", nameof(Currency));
        }

        foreach (var (model, price) in PerGpuHour)
        {
            if (string.IsNullOrWhiteSpace(model))
            {
                throw new ArgumentException("prices.gpuHour: an entry has no model; give the GPU model as nodes name it (A100, H100)", nameof(PerGpuHour));
            }

            if (!(price >= 0) || double.IsInfinity(price))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"prices.gpuHour: {model} costs {price}; give the price of one GPU-hour, 0 or more (2.5)"), nameof(PerGpuHour));
            }
        }
    }
}
