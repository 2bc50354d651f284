namespace QualityHub.Inference.Engine;

/// <summary>
/// The model is kept from running: it crashed the worker that ran it too often. The model's fault, not the input's nor
/// the worker's; its page says why until someone lifts the quarantine.
/// </summary>
public sealed class ModelQuarantinedException(string message) : Exception(message);
