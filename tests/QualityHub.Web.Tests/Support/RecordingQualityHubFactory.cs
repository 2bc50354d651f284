using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QualityHub.Web.Tests.Support;

/// <summary>
/// The app in memory, watched from outside its pipeline: the status every request finally got (even one whose client
/// is gone and never reads it) and every error the app logged.
/// </summary>
public sealed class RecordingQualityHubFactory : QualityHubFactory
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<int>> expected = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>The final status of the next request to "METHOD /path", once the server is done with it.</summary>
    public Task<int> NextCompletionOf(string request) =>
        expected.GetOrAdd(request, _ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Recorder(this)));
        builder.ConfigureLogging(logging => logging.AddProvider(new ErrorCollector(Errors)));
    }

    private void Completed(string request, int status)
    {
        if (expected.TryRemove(request, out var waiting))
        {
            waiting.TrySetResult(status);
        }
    }

    private sealed class Recorder(RecordingQualityHubFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate rest) =>
            {
                var request = $"{context.Request.Method} {context.Request.Path}";
                try
                {
                    await rest(context);
                    factory.Completed(request, context.Response.StatusCode);
                }
                catch
                {
                    factory.Completed(request, StatusCodes.Status500InternalServerError);
                    throw;
                }
            });
            next(app);
        };
    }

    private sealed class ErrorCollector(ConcurrentQueue<string> errors) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, errors);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    errors.Enqueue($"{category}: {formatter(state, exception)} {exception?.GetType().Name}");
                }
            }
        }
    }
}
