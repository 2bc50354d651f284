namespace QualityHub.Inference.Engine;

/// <summary>
/// Nothing can run models just now (every worker is down or not answering): not the model's fault nor the input's.
/// Work waits or fails with this reason; it is never recorded as a wrong answer.
/// </summary>
public sealed class ExecutorUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
