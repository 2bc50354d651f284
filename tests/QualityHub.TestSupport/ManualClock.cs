namespace QualityHub.TestSupport;

/// <summary>
/// A clock the test sets: <see cref="UtcNow"/> moves only when told, and timers (a PeriodicTimer's) fire only when
/// <see cref="FireTimers"/> says so. <see cref="TimerCreated"/> completes when the code under test has made its first timer.
/// </summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private readonly List<ManualTimer> timers = [];
    private readonly TaskCompletionSource timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ManualClock()
        : this(DateTimeOffset.UtcNow)
    {
    }

    public DateTimeOffset UtcNow { get; set; } = now;

    /// <summary>Completes when the first timer is created.</summary>
    public Task TimerCreated => timerCreated.Task;

    public override DateTimeOffset GetUtcNow() => UtcNow;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(callback, state);
        lock (timers)
        {
            timers.Add(timer);
        }

        timerCreated.TrySetResult();
        return timer;
    }

    /// <summary>Runs the callback of every timer not disposed, as if its period had passed.</summary>
    public void FireTimers()
    {
        List<ManualTimer> live;
        lock (timers)
        {
            live = timers.Where(t => !t.Disposed).ToList();
        }

        foreach (var timer in live)
        {
            timer.Fire();
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
    {
        public bool Disposed { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => !Disposed;

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
