namespace QualityHub.Core.Domain;

/// <summary>
/// The legal moves of a ticket: new → triaged → reproduced → fixed (in a release) → closed, or won't fix from any
/// open state. A fix that did not hold sends a ticket back to reproduced; a won't-fix can be reopened as triaged.
/// </summary>
public static class TicketWorkflow
{
    private static readonly Dictionary<TicketStatus, TicketStatus[]> Next = new()
    {
        [TicketStatus.New] = [TicketStatus.Triaged, TicketStatus.WontFix],
        [TicketStatus.Triaged] = [TicketStatus.Reproduced, TicketStatus.WontFix],
        [TicketStatus.Reproduced] = [TicketStatus.Fixed, TicketStatus.WontFix],
        [TicketStatus.Fixed] = [TicketStatus.Closed, TicketStatus.Reproduced],
        [TicketStatus.Closed] = [],
        [TicketStatus.WontFix] = [TicketStatus.Triaged],
    };

    /// <summary>Statuses in board order.</summary>
    public static IReadOnlyList<TicketStatus> Board { get; } =
        [TicketStatus.New, TicketStatus.Triaged, TicketStatus.Reproduced, TicketStatus.Fixed, TicketStatus.Closed, TicketStatus.WontFix];

    public static IReadOnlyList<TicketStatus> AllowedFrom(TicketStatus status) => Next[status];

    public static bool CanMove(TicketStatus from, TicketStatus to) => Next[from].Contains(to);

    /// <summary>Statuses after which a ticket no longer blocks a release: fixed (in a release), closed, won't fix.</summary>
    public static IReadOnlyList<TicketStatus> Settled { get; } = [TicketStatus.Fixed, TicketStatus.Closed, TicketStatus.WontFix];

    public static bool IsOpen(TicketStatus status) => status is not (TicketStatus.Closed or TicketStatus.WontFix);

    /// <summary>The word people use for a status ("won't fix", not "WontFix").</summary>
    public static string Label(TicketStatus status) => status switch
    {
        TicketStatus.WontFix => "won't fix",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads "new", "Triaged", "won't fix", "wont_fix", "WontFix"; null when it is none of them.</summary>
    public static TicketStatus? ParseStatus(string? text) => Parse<TicketStatus>(text);

    /// <summary>Reads "low", "Medium", "HIGH", "blocker"; null when it is none of them.</summary>
    public static TicketSeverity? ParseSeverity(string? text) => Parse<TicketSeverity>(text);

    private static T? Parse<T>(string? text)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Spaces, apostrophes, hyphens and underscores do not matter ("won't fix", "WONT_FIX"); digits and other marks
        // make it no name at all (Enum.TryParse would take "3" as a value, which hides typos).
        if (text.Any(c => !char.IsLetter(c) && !char.IsWhiteSpace(c) && c is not ('\'' or '’' or '-' or '_')))
        {
            return null;
        }

        var letters = new string(text.Where(char.IsLetter).ToArray());
        return letters.Length > 0 && Enum.TryParse<T>(letters, ignoreCase: true, out var value) && Enum.IsDefined(value) ? value : null;
    }
}
