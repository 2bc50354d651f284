using System.Text.RegularExpressions;

namespace QualityHub.Core.Pipelines;

/// <summary>
/// What a card reader's last stage makes of the recognised lines: the card number as digits only (empty when none was
/// found), whether it passes the Luhn check, and the expiry as MM/YY (empty when none was found).
/// </summary>
public sealed record CardFields(string Number, bool NumberPassesLuhn, string Expiry);

/// <summary>
/// The field parser of a card reader. The number is the longest run of 13 to 19 digits on one line (single spaces
/// between groups allowed), one that passes the Luhn check preferred; the expiry is the latest MM/YY date (month 01–12)
/// on any line, so that a "valid from" date printed beside it loses.
/// </summary>
public static partial class CardFieldParser
{
    public static CardFields Parse(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var numbers = lines.SelectMany(line => DigitRun().Matches(line ?? "").Select(m => m.Value.Replace(" ", "", StringComparison.Ordinal)))
            .Where(digits => digits.Length is >= 13 and <= 19)
            .ToList();
        var number = numbers.OrderByDescending(Luhn).ThenByDescending(d => d.Length).FirstOrDefault() ?? "";
        var expiry = lines.SelectMany(line => Expiry().Matches(line ?? ""))
            .Select(m => (Month: m.Groups[1].Value, Year: m.Groups[2].Value))
            .OrderByDescending(d => d.Year, StringComparer.Ordinal).ThenByDescending(d => d.Month, StringComparer.Ordinal)
            .Select(d => $"{d.Month}/{d.Year}")
            .FirstOrDefault() ?? "";
        return new CardFields(number, number.Length > 0 && Luhn(number), expiry);
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

    [GeneratedRegex(@"(?<!\d)(0[1-9]|1[0-2]) ?/ ?(\d{2})(?!\d)")]
    private static partial Regex Expiry();
}
