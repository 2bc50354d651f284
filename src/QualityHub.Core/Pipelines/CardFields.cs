using System.Text.RegularExpressions;

namespace QualityHub.Core.Pipelines;

/// <summary>
/// What a card reader's last stage makes of the recognised lines: the card number as digits only (empty when none was
/// found), whether it passes the Luhn check, and the expiry as MM/YY (empty when none was found).
/// </summary>
public sealed record CardFields(string Number, bool NumberPassesLuhn, string Expiry);

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
            .Select(c => c.Digits)
            .FirstOrDefault() ?? "";
        var expiry = lines.SelectMany(line => Expiry().Matches(line ?? ""))
            .Select(m => (Month: m.Groups[1].Value, Year: m.Groups[2].Value))
            .OrderByDescending(d => d.Year, StringComparer.Ordinal).ThenByDescending(d => d.Month, StringComparer.Ordinal)
            .Select(d => $"{d.Month}/{d.Year}")
            .FirstOrDefault() ?? "";
        return new CardFields(number, number.Length > 0 && Luhn(number), expiry);
    }

    // Every run of consecutive groups, and the first 15 and 16 digits of those longer than that.
    private static IEnumerable<(string Digits, bool WholeGroups)> Candidates(string[] groups)
    {
        for (var first = 0; first < groups.Length; first++)
        {
            for (var last = first; last < groups.Length; last++)
            {
                var digits = string.Concat(groups[first..(last + 1)]);
                yield return (digits, true);
                foreach (var length in (int[])[15, 16])
                {
                    if (digits.Length > length)
                    {
                        yield return (digits[..length], false);
                    }
                }
            }
        }
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
