namespace QualityHub.Inference.Engine;

/// <summary>
/// What runs models for the task runner: the engine in this process, or a pool of workers in others (the open
/// inference protocol). Both answer the same way: an item's outputs without its batch dimension, a caller's batch
/// with it, timing split into queue, pre-processing, compute and post-processing, and the provider that ran it.
/// </summary>
public interface IModelExecutor
{
    /// <summary>Runs one item (the model input without its batch dimension).</summary>
    Task<ItemResult> InferAsync(ModelSpec model, float[] item, long[] itemShape, double preprocessMs = 0, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="count"/> items stacked by the caller as one request; the outputs keep their batch dimension.</summary>
    Task<ItemResult> InferBatchAsync(ModelSpec model, float[] batch, int count, long[] itemShape, double preprocessMs = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs each item alone (a batch of one), one after another, where the model runs; each answer's compute and
    /// post-processing are that item's own, without the hand-over between threads or the network to a worker (a
    /// server of another make is timed from outside, its network included). What processing time is measured with.
    /// </summary>
    Task<IReadOnlyList<ItemResult>> InferEachAsync(ModelSpec model, IReadOnlyList<float[]> items, IReadOnlyList<long[]> itemShapes, CancellationToken cancellationToken = default);

    /// <summary>Loads the model where it will run and describes it as its session sees it.</summary>
    Task<LoadedModel> LoadAsync(ModelSpec model, CancellationToken cancellationToken = default);

    /// <summary>The memory one session of the model takes where it runs, once it has answered <paramref name="item"/>.</summary>
    Task<SessionMemory> MeasureSessionMemoryAsync(ModelSpec model, float[] item, long[] itemShape, int loads = 3, CancellationToken cancellationToken = default);
}
