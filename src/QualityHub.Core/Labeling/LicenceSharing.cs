namespace QualityHub.Core.Labeling;

/// <summary>Whether a dataset's images may be handed to an outside labeling vendor, who is paid for the work.</summary>
public static class LicenceSharing
{
    /// <summary>Licences that keep data in the house: a contract's data and customers' reports.</summary>
    private static readonly HashSet<string> InHouse = new(StringComparer.OrdinalIgnoreCase) { "contract", "LicenseRef-Customer-Report" };

    /// <summary>Why the licence forbids giving the images to a vendor; null when it allows it.</summary>
    public static string? Refusal(string licenceId, bool commercialUseAllowed)
    {
        if (InHouse.Contains(licenceId.Trim()))
        {
            return $"its licence \"{licenceId}\" forbids sharing the images outside the company";
        }

        return commercialUseAllowed ? null : $"its licence \"{licenceId}\" forbids commercial use, and a vendor's paid labeling is";
    }
}
