namespace QualityHub.Inference;

/// <summary>ONNX Runtime reported an error; carries ORT's error code and message, and the model when known.</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException(OrtErrorCode code, string message, string? model = null, Exception? inner = null)
        : base(model is null ? $"ONNX Runtime {code}: {message}" : $"Model '{model}': ONNX Runtime {code}: {message}", inner)
    {
        Code = code;
        OrtMessage = message;
        Model = model;
    }

    public OrtErrorCode Code { get; }

    /// <summary>ORT's own message, unchanged.</summary>
    public string OrtMessage { get; }

    /// <summary>The model the failing call was about, when the caller knew it.</summary>
    public string? Model { get; }

    /// <summary>The same error, naming the model it concerns.</summary>
    public OnnxRuntimeException ForModel(string model) => new(Code, OrtMessage, model, this);

    /// <summary>
    /// The same error with the model file's path in ORT's message replaced by the model's name, and the path of its
    /// folder left out (ORT names files beside the model by their full path too): messages reach users, paths must not.
    /// </summary>
    public OnnxRuntimeException WithoutPath(string modelPath) =>
        new(Code, Runtime.OrtErrors.HidePath(OrtMessage, modelPath, Model ?? Path.GetFileName(modelPath)), Model, this);
}

/// <summary>ORT's OrtErrorCode values.</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
    ModelLoadCanceled = 12,
    ModelRequiresCompilation = 13,
    NotFound = 14,

    /// <summary>Not ORT's: the native library itself could not be loaded.</summary>
    LibraryUnavailable = 1000,
}
