namespace QualityHub.Data;

/// <summary>The app cannot start as configured; the message says what is wrong and what to do, in one line.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
