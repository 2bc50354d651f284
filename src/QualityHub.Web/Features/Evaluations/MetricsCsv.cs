using QualityHub.Core.Metrics;
using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>A run's metrics as long-format CSV: metric, slice, value, 95 % interval.</summary>
public static class MetricsCsv
{
    public static byte[] Write(RunSummary run, RunMetrics m) => SpreadsheetSafeCsv.ToBytes(csv =>
    {
        csv.WriteHeader(["run_id", "model", "dataset", "metric", "slice", "value", "low", "high"]);
        void Row(string metric, string slice, double value, double? low = null, double? high = null)
        {
            csv.WriteField(run.Id);
            csv.WriteField($"{run.Module}/{run.Version}");
            csv.WriteField(run.Dataset);
            csv.WriteField(metric);
            csv.WriteField(slice);
            csv.WriteField(value, SpreadsheetSafeCsv.Decimal);
            csv.WriteField(low, SpreadsheetSafeCsv.Decimal);
            csv.WriteField(high, SpreadsheetSafeCsv.Decimal);
            csv.EndRecord();
        }

        Row("samples", "", m.Count);
        Row("errors", "", m.Errors);
        if (m.Classification is { } c)
        {
            Row("accuracy", "", c.Accuracy.Value, c.Accuracy.Low, c.Accuracy.High);
            foreach (var k in c.TopK)
            {
                Row($"top{k.K}_accuracy", "", k.Accuracy);
            }

            Row("macro_f1", "", c.MacroF1.Value, c.MacroF1.Low, c.MacroF1.High);
            Row("weighted_f1", "", c.WeightedF1);
            Row("expected_calibration_error", "", c.Calibration.ExpectedCalibrationError);
            foreach (var k in c.PerClass)
            {
                Row("precision", k.Label, k.Precision);
                Row("recall", k.Label, k.Recall);
                Row("f1", k.Label, k.F1);
                Row("support", k.Label, k.Support);
            }

            foreach (var t in c.PerTag)
            {
                Row("accuracy", $"tag:{t.Tag}", t.Score.Value, t.Score.Low, t.Score.High);
            }
        }

        if (m.Text is { } x)
        {
            Row("exact_match", "", x.ExactMatch.Value, x.ExactMatch.Low, x.ExactMatch.High);
            Row("character_error_rate", "", x.CharacterErrorRate.Value, x.CharacterErrorRate.Low, x.CharacterErrorRate.High);
            Row("normalized_edit_distance", "", x.NormalizedEditDistance.Value, x.NormalizedEditDistance.Low, x.NormalizedEditDistance.High);
            Row("mean_edit_distance", "", x.MeanEditDistance);
            if (x.UnderRule is { } r)
            {
                var under = $"rule:{r.Description}";
                Row("exact_match", under, r.ExactMatch.Value, r.ExactMatch.Low, r.ExactMatch.High);
                Row("character_error_rate", under, r.CharacterErrorRate.Value, r.CharacterErrorRate.Low, r.CharacterErrorRate.High);
                Row("normalized_edit_distance", under, r.NormalizedEditDistance.Value, r.NormalizedEditDistance.Low, r.NormalizedEditDistance.High);
                Row("mean_edit_distance", under, r.MeanEditDistance);
            }

            foreach (var t in x.PerTag)
            {
                Row("exact_match", $"tag:{t.Tag}", t.ExactMatch);
                Row("character_error_rate", $"tag:{t.Tag}", t.CharacterErrorRate);
            }
        }

        if (m.ProcessingTime is { } p)
        {
            Row("processing_time_p50_ms", "", p.P50Ms);
            Row("processing_time_p95_ms", "", p.P95Ms.Value, p.P95Ms.Low, p.P95Ms.High);
            Row("processing_time_p99_ms", "", p.P99Ms);
        }

        Row("batched_item_p50_ms", "", m.BatchedItemTime.P50Ms);
        Row("batched_item_p95_ms", "", m.BatchedItemTime.P95Ms);
        Row("batch1_items_per_second", "", m.Throughput.BatchOneItemsPerSecond);
        Row("batched_items_per_second", "", m.Throughput.BatchedItemsPerSecond);
        Row("mean_batch_size", "", m.Throughput.MeanBatchSize);
    });
}
