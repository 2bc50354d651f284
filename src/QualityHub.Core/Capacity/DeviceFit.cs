namespace QualityHub.Core.Capacity;

/// <summary>How many model instances fit on one device: fitting is step-wise, not proportional.</summary>
public static class DeviceFit
{
    /// <summary>
    /// ⌊deviceMemory / modelMemory⌋: a 10 GB GPU holds one 7 GB model, one 6 GB model, two 5 GB models.
    /// Computed in whole bytes so that 10 / 5 is exactly 2, not 1.9999.
    /// </summary>
    public static int InstancesPerDevice(double deviceMemoryGb, double modelMemoryGb)
    {
        if (!double.IsFinite(deviceMemoryGb) || deviceMemoryGb <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(deviceMemoryGb), deviceMemoryGb, "Device memory must be a positive number of GB.");
        }

        if (!double.IsFinite(modelMemoryGb) || modelMemoryGb <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(modelMemoryGb), modelMemoryGb, "Model memory must be a positive number of GB.");
        }

        const double bytesPerGb = 1024d * 1024 * 1024;
        var device = (long)Math.Round(deviceMemoryGb * bytesPerGb);
        var model = (long)Math.Round(modelMemoryGb * bytesPerGb);
        return model == 0 ? 0 : (int)Math.Min(int.MaxValue, device / model);
    }
}
