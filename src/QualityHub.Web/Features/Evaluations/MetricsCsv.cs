using System.Globalization;
using System.Text;
using QualityHub.Core.Metrics;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>CSV fields: quoted when they hold a comma, quote or line break; a leading =, +, - or @ is defused for spreadsheets.</summary>
public static class Csv
{
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    public static string Number(double? value) => value?.ToString("0.######", CultureInfo.InvariantCulture) ?? "";
}

/// <summary>A run's metrics as long-format CSV: metric, slice, value, 95 % interval.</summary>
public static class MetricsCsv
{
    public static string Write(RunSummary run, RunMetrics m)
    {
        var csv = new StringBuilder("run_id,model,dataset,metric,slice,value,low,high\n");
        var prefix = $"{run.Id},{Csv.Field($"{run.Module}/{run.Version}")},{Csv.Field(run.Dataset)},";
        void Row(string metric, string slice, double value, double? low = null, double? high = null) =>
            csv.Append(prefix).Append(metric).Append(',').Append(Csv.Field(slice)).Append(',')
                .Append(Csv.Number(value)).Append(',').Append(Csv.Number(low)).Append(',').Append(Csv.Number(high)).Append('\n');

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
            foreach (var t in x.PerTag)
            {
                Row("exact_match", $"tag:{t.Tag}", t.ExactMatch);
                Row("character_error_rate", $"tag:{t.Tag}", t.CharacterErrorRate);
            }
        }

        Row("latency_p50_ms", "", m.Latency.P50Ms);
        Row("latency_p95_ms", "", m.Latency.P95Ms);
        Row("latency_p99_ms", "", m.Latency.P99Ms);
        Row("batch1_latency_p50_ms", "", m.Throughput.BatchOneLatency.P50Ms);
        Row("batch1_latency_p95_ms", "", m.Throughput.BatchOneLatency.P95Ms);
        Row("batch1_items_per_second", "", m.Throughput.BatchOneItemsPerSecond);
        Row("batched_items_per_second", "", m.Throughput.BatchedItemsPerSecond);
        Row("mean_batch_size", "", m.Throughput.MeanBatchSize);
        return csv.ToString();
    }
}
