using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QualityHub.Web.Hosting.Security;

namespace QualityHub.Web.Features.Accounts;

/// <summary>
/// Failed sign-ins slow the account they name, progressively and with a ceiling, instead of locking it: after
/// <see cref="SecurityOptions.FreeSignInFailures"/> failures each next try waits twice as long (1 s, 2 s, 4 s …) up to
/// <see cref="SecurityOptions.MaxSignInDelaySeconds"/>. Someone hammering the admin's e-mail can make its owner wait at
/// most that ceiling, never lock them out; a guesser gets a few thousand tries a day instead of millions.
/// </summary>
/// <remarks>
/// Keyed by the e-mail as typed (normalised), whether or not an account has it, so the answers tell nothing about
/// which accounts exist. A success clears the count. At most <see cref="MaxTracked"/> e-mails are remembered; the ones
/// idle longest are forgotten first.
/// </remarks>
public sealed class SignInThrottle(IOptionsMonitor<SecurityOptions> options, TimeProvider clock)
{
    public const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, Failures> failures = new(StringComparer.Ordinal);

    /// <summary>How many e-mails are remembered now.</summary>
    public int Tracked => failures.Count;

    /// <summary>How long this e-mail must still wait before its password is checked again (zero: check now).</summary>
    public TimeSpan WaitFor(string email)
    {
        if (!failures.TryGetValue(Key(email), out var record))
        {
            return TimeSpan.Zero;
        }

        lock (record)
        {
            var left = record.Last + Delay(record.Count) - clock.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public void Failed(string email)
    {
        if (failures.Count >= MaxTracked)
        {
            ForgetIdlest();
        }

        var record = failures.GetOrAdd(Key(email), _ => new Failures());
        lock (record)
        {
            record.Count++;
            record.Last = clock.GetUtcNow();
        }
    }

    public void Succeeded(string email) => failures.TryRemove(Key(email), out _);

    /// <summary>The wait after <paramref name="count"/> consecutive failures.</summary>
    public TimeSpan Delay(int count)
    {
        var settings = options.CurrentValue;
        var beyond = count - settings.FreeSignInFailures;
        if (beyond <= 0)
        {
            return TimeSpan.Zero;
        }

        var seconds = Math.Min(settings.MaxSignInDelaySeconds, Math.Pow(2, Math.Min(beyond - 1, 30)));
        return TimeSpan.FromSeconds(seconds);
    }

    private void ForgetIdlest()
    {
        foreach (var (key, _) in failures.OrderBy(f => f.Value.Last).Take(MaxTracked / 10).ToList())
        {
            failures.TryRemove(key, out _);
        }
    }

    private static string Key(string email) => email.Trim().ToUpperInvariant();

    private sealed class Failures
    {
        public int Count { get; set; }

        public DateTimeOffset Last { get; set; }
    }
}
