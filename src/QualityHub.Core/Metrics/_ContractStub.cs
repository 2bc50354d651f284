#pragma warning disable
namespace QualityHub.Core.Metrics;
public sealed record Estimate(double Value, double Low, double High);
public sealed record ClassifiedItem(string Truth, string? Predicted, double Confidence, IReadOnlyList<string> TopK, IReadOnlyList<string> Tags);
public sealed record ClassStats(string Label, int Support, int PredictedCount, double Precision, double Recall, double F1);
public sealed record ConfusionMatrix(IReadOnlyList<string> Labels, int[][] Counts, int[] Failed);
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double Accuracy);
public sealed record Calibration(double ExpectedCalibrationError, IReadOnlyList<ReliabilityBin> Bins);
public sealed record SliceStats(string Tag, int Count, Estimate Score);
public sealed record TopKAccuracy(int K, double Accuracy);
public sealed record ClassificationReport(int Count, int Failed, Estimate Accuracy, IReadOnlyList<TopKAccuracy> TopK, IReadOnlyList<ClassStats> PerClass, Estimate MacroF1, double WeightedF1, ConfusionMatrix Confusion, Calibration Calibration, IReadOnlyList<SliceStats> PerTag);
public static class ClassificationMetrics { public static ClassificationReport Compute(IReadOnlyList<string> labels, IReadOnlyList<ClassifiedItem> items, BootstrapSettings? bootstrap = null) => throw new NotImplementedException(); }
public sealed record RecognizedItem(string Truth, string? Predicted, IReadOnlyList<string> Tags);
public sealed record TextSliceStats(string Tag, int Count, double ExactMatch, double CharacterErrorRate, double NormalizedEditDistance);
public sealed record TextRecognitionReport(int Count, int Failed, Estimate ExactMatch, Estimate CharacterErrorRate, Estimate NormalizedEditDistance, double MeanEditDistance, IReadOnlyList<TextSliceStats> PerTag);
public static class TextRecognitionMetrics { public static TextRecognitionReport Compute(IReadOnlyList<RecognizedItem> items, BootstrapSettings? bootstrap = null) => throw new NotImplementedException(); }
public sealed record LatencySummary(int Count, double MeanMs, double P50Ms, double P95Ms, double P99Ms, double MaxMs);
public static class LatencyStats { public static LatencySummary Summarize(IReadOnlyList<double> millis) => throw new NotImplementedException(); public static Histogram Histogram(IReadOnlyList<double> values, int binCount = 30) => throw new NotImplementedException(); }
public sealed record Histogram(double Start, double BinWidth, int[] Counts);
public sealed record BootstrapSettings(int Resamples = 1000, int Seed = 20261122);
public sealed record McNemarResult(int Both, int OnlyA, int OnlyB, int Neither, double PValue, string Method, bool Significant);
public sealed record PairedBootstrapResult(double MeanA, double MeanB, double Difference, double Low, double High, double PValue, bool Significant);
public static class PairedTests { public static McNemarResult McNemar(IReadOnlyList<bool> a, IReadOnlyList<bool> b) => throw new NotImplementedException(); public static PairedBootstrapResult PairedBootstrap(IReadOnlyList<double> a, IReadOnlyList<double> b, BootstrapSettings? settings = null) => throw new NotImplementedException(); }
