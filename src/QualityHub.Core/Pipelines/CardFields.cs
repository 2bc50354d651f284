using System.Text.RegularExpressions;

namespace QualityHub.Core.Pipelines;

/// <summary>
/// What a card reader's last stage makes of the recognised lines: the card number as digits only (empty when none was
/// found), whether it passes the Luhn check, and the expiry as MM/YY (empty when none was found) — and each as it was
/// read (<see cref="NumberAsRead"/>: its groups with the spaces between them; <see cref="ExpiryAsRead"/>: the date with
/// any spaces around its slash), which the raw comparison uses. Outputs stored before the readings were kept fall back
/// to the parsed fields.
/// </summary>
public sealed record CardFields(string Number, bool NumberPassesLuhn, string Expiry, string? NumberRead = null, string? ExpiryRead = null)
{
    public string NumberAsRead => NumberRead ?? Number;

    public string ExpiryAsRead => ExpiryRead ?? Expiry;
}

/// <summary>
/// The field parser of a card reader. Number candidates are the runs of 13 to 19 digits on one line made of whole
/// groups (digits with single spaces between groups) — any consecutive groups, since a date's month read onto the
/// same line is a group of its own — and the first 15 or 16 digits of a longer candidate (a month read into the last
/// group); one that passes the Luhn check wins, then whole groups over a cut, then the longest. The expiry is the latest
/// MM/YY date (month 01–12, no digit after the year) on any line, so that a "valid from" date printed beside it loses.
/// </summary>
public static partial class CardFieldParser
{
    public static CardFields Parse(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var number = lines.SelectMany(line => DigitRun().Matches(line ?? "")).SelectMany(run => Candidates(run.Value.Split(' ')))
            .Where(c => c.Digits.Length is >= 13 and <= 19)
            .OrderByDescending(c => Luhn(c.Digits)).ThenByDescending(c => c.WholeGroups).ThenByDescending(c => c.Digits.Length)
            .FirstOrDefault();
        var expiry = lines.SelectMany(line => Expiry().Matches(line ?? ""))
            .Select(m => (Month: m.Groups[1].Value, Year: m.Groups[2].Value, Read: m.Value))
            .OrderByDescending(d => d.Year, StringComparer.Ordinal).ThenByDescending(d => d.Month, StringComparer.Ordinal)
            .FirstOrDefault();
        var digits = number.Digits ?? "";
        return new CardFields(digits, digits.Length > 0 && Luhn(digits), expiry.Read is null ? "" : $"{expiry.Month}/{expiry.Year}", number.Read ?? "", expiry.Read ?? "");
    }

    // Every run of consecutive groups, and the first 15 and 16 digits of those longer than that; each with its text as read.
    private static IEnumerable<(string Digits, bool WholeGroups, string Read)> Candidates(string[] groups)
    {
        for (var first = 0; first < groups.Length; first++)
        {
            for (var last = first; last < groups.Length; last++)
            {
                var read = string.Join(' ', groups[first..(last + 1)]);
                var digits = read.Replace(" ", "", StringComparison.Ordinal);
                yield return (digits, true, read);
                foreach (var length in (int[])[15, 16])
                {
                    if (digits.Length > length)
                    {
                        yield return (digits[..length], false, Cut(read, length));
                    }
                }
            }
        }
    }

    // The text as read up to its length-th digit.
    private static string Cut(string read, int length)
    {
        var seen = 0;
        for (var i = 0; i < read.Length; i++)
        {
            if (read[i] != ' ' && ++seen == length)
            {
                return read[..(i + 1)];
            }
        }

        return read;
    }

    /// <summary>The Luhn check of a string of digits: from the right, every second digit doubled (less 9 over 9), the sum a multiple of 10.</summary>
    public static bool Luhn(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[^(i + 1)] - '0';
            sum += i % 2 == 1 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit;
        }

        return sum % 10 == 0;
    }

    [GeneratedRegex(@"\d(?:\d| (?=\d))*")]
    private static partial Regex DigitRun();

    // No digit may follow the year; digits before the month may (a recogniser can run the number into the date).
    [GeneratedRegex(@"(0[1-9]|1[0-2]) ?/ ?(\d{2})(?!\d)")]
    private static partial Regex Expiry();
}
