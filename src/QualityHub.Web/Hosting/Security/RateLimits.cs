using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Hosting.Security;

/// <summary>
/// ASP.NET Core's rate limiter, two policies: sign-in attempts per client address, and /api requests per caller
/// (an API key, a signed-in person, or else a client address). A refused sign-in goes back to the form with a message;
/// a refused API call is 429 problem details with Retry-After.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Api = "api";

    public static IServiceCollection AddQualityHubRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((options, security) =>
        {
            var settings = security.Value;
            options.AddPolicy(SignIn, context => RateLimitPartition.GetSlidingWindowLimiter(
                ClientAddress(context), _ => PerMinute(settings.SignInAttemptsPerMinute)));
            var perMinute = Math.Max(1, settings.ApiRequestsPerMinute);
            options.AddPolicy(Api, context => RateLimitPartition.GetTokenBucketLimiter(Caller(context), _ => new TokenBucketRateLimiterOptions
            {
                // A minute's allowance may be spent at once; it refills a sixtieth a second (a token at a time when smaller).
                TokenLimit = perMinute,
                TokensPerPeriod = Math.Max(1, perMinute / 60),
                ReplenishmentPeriod = perMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1.0 / perMinute),
                QueueLimit = 0,
            }));
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    private static SlidingWindowRateLimiterOptions PerMinute(int permits) => new()
    {
        PermitLimit = Math.Max(1, permits),
        Window = TimeSpan.FromMinutes(1),
        SegmentsPerWindow = 6,
        QueueLimit = 0,
    };

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        if (context.Request.Path.StartsWithSegments("/account"))
        {
            // A person at the sign-in form reads why, on the form; the same answer whichever account was tried.
            context.Response.Redirect($"{context.Request.PathBase}/account/login?error=busy&wait={retryAfter}");
            return;
        }

        await Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"This caller sent more requests than Security:ApiRequestsPerMinute allows; try again in {retryAfter} s.").ExecuteAsync(context);
    }

    /// <summary>The client's address (after forwarded headers, when they are trusted).</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // Authentication ran before the limiter: a key or a person has its own allowance; strangers share their address's.
    private static string Caller(HttpContext context) => context.User.Identity is { IsAuthenticated: true, Name: { } name }
        ? (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? "key:" : "user:") + name
        : "address:" + ClientAddress(context);
}
