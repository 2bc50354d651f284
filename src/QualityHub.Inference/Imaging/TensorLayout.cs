namespace QualityHub.Inference.Imaging;

/// <summary>Order of a batch of image tensors in memory: channels-first (N, C, H, W) or channels-last (N, H, W, C).</summary>
public enum TensorLayout
{
    Nchw,
    Nhwc,
}
