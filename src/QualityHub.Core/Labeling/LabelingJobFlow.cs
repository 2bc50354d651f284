namespace QualityHub.Core.Labeling;

/// <summary>Where a labeling job stands, from a draft the curator writes to the vendor's labels merged into a new dataset version.</summary>
public enum LabelingJobStatus
{
    Draft = 1,
    Sent = 2,
    InProgress = 3,
    Delivered = 4,
    Reviewed = 5,
    Merged = 6,
    Cancelled = 7,
}

/// <summary>
/// The moves a labeling job may make (draft → sent → in progress → delivered → reviewed → merged, or cancelled before
/// it is merged; a delivery found wanting goes back to in progress), and what is wrong with its money and dates.
/// </summary>
public static class LabelingJobFlow
{
    private static readonly Dictionary<LabelingJobStatus, LabelingJobStatus[]> Moves = new()
    {
        [LabelingJobStatus.Draft] = [LabelingJobStatus.Sent, LabelingJobStatus.Cancelled],
        [LabelingJobStatus.Sent] = [LabelingJobStatus.InProgress, LabelingJobStatus.Cancelled],
        [LabelingJobStatus.InProgress] = [LabelingJobStatus.Delivered, LabelingJobStatus.Cancelled],
        [LabelingJobStatus.Delivered] = [LabelingJobStatus.Reviewed, LabelingJobStatus.InProgress, LabelingJobStatus.Cancelled],
        [LabelingJobStatus.Reviewed] = [LabelingJobStatus.Merged, LabelingJobStatus.InProgress, LabelingJobStatus.Cancelled],
        [LabelingJobStatus.Merged] = [],
        [LabelingJobStatus.Cancelled] = [],
    };

    /// <summary>The statuses a job in <paramref name="from"/> may move to.</summary>
    public static IReadOnlyList<LabelingJobStatus> Next(LabelingJobStatus from) => Moves.GetValueOrDefault(from, []);

    public static bool CanMove(LabelingJobStatus from, LabelingJobStatus to) => Next(from).Contains(to);

    /// <summary>Whether the job is over (merged or cancelled): nothing about it changes any more.</summary>
    public static bool IsClosed(LabelingJobStatus status) => status is LabelingJobStatus.Merged or LabelingJobStatus.Cancelled;

    /// <summary>What the job costs at its price: quantity × unit price.</summary>
    public static decimal Cost(int quantity, decimal unitPrice) => quantity * unitPrice;

    /// <summary>
    /// What is wrong with a job's figures and dates now, each as a sentence: over budget (quantity × unit price above the
    /// budget), past its deadline while still open. Empty when nothing is.
    /// </summary>
    public static IReadOnlyList<string> Flags(int quantity, decimal unitPrice, decimal budget, string currency, DateTimeOffset? deadline, LabelingJobStatus status, DateTimeOffset now)
    {
        var flags = new List<string>();
        var cost = Cost(quantity, unitPrice);
        if (cost > budget)
        {
            flags.Add($"Over budget: {quantity:N0} items × {unitPrice:0.####} {currency} = {cost:N2} {currency}, above the budget of {budget:N2} {currency}.");
        }

        if (deadline is { } due && due < now && !IsClosed(status) && status is not (LabelingJobStatus.Delivered or LabelingJobStatus.Reviewed))
        {
            flags.Add($"Past its deadline of {due.UtcDateTime:yyyy-MM-dd} and not delivered.");
        }

        return flags;
    }
}
