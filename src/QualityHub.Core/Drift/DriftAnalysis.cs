namespace QualityHub.Core.Drift;

/// <summary>A measure's verdict at one point: nothing claimed (too few events), fine, worth a look, or drifted.</summary>
public static class DriftStatus
{
    public const string TooFew = "too-few-events";
    public const string Ok = "ok";
    public const string Watch = "watch";
    public const string Alert = "alert";

    public static int Rank(string status) => status switch { Alert => 3, Watch => 2, Ok => 1, _ => 0 };

    public static string Worst(IEnumerable<string> statuses) => statuses.MaxBy(Rank) ?? TooFew;
}

/// <summary>The kinds of measure: distances between distributions, and tests with p-values.</summary>
public static class DriftMeasureKind
{
    public const string Psi = "psi";
    public const string JensenShannon = "js";
    public const string KolmogorovSmirnov = "ks";
    public const string ChiSquare = "chi-square";
    public const string CorrectionRate = "correction-rate";
}

/// <summary>One window of events to compare with the reference: where it starts and its histograms per descriptor.</summary>
public sealed record DriftWindow(DateTimeOffset Start, DateTimeOffset End, IReadOnlyDictionary<string, DriftHistogram> Histograms, long Events);

/// <summary>A measure's value for one window; Value and PValue are null when the window has too few events.</summary>
public sealed record DriftPoint(DateTimeOffset T, DateTimeOffset End, double? Value, double? PValue, long N, string Status);

/// <summary>One measure over time: e.g. PSI of brightness, with the thresholds it is judged by.</summary>
public sealed record DriftMeasure(
    string Name, string Kind, string Descriptor, string DescriptorTitle, string Side, double? Watch, double? Alert, string ThresholdText,
    IReadOnlyList<DriftPoint> Points, string Status)
{
    /// <summary>The last point that claims something, for "top drifting descriptors".</summary>
    public DriftPoint? Latest => Points.LastOrDefault(p => p.Value is not null);
}

/// <summary>Correction rate (online) against error rate (reference run) for one predicted label or confidence band.</summary>
public sealed record ConceptRow(string Key, long ReferenceCount, double? ReferenceErrorRate, long WindowCount, double? WindowCorrectionRate, double? PValue, string Status);

/// <summary>
/// Compares windows of online events with a release's reference profile, descriptor by descriptor: PSI and
/// Jensen–Shannon on every descriptor, KS on continuous ones, chi-square on categorical ones; and correction rates by
/// predicted label and confidence band against the reference run's error rates (concept drift: the model is as sure
/// as before, and wrong more often).
/// </summary>
public static class DriftAnalysis
{
    /// <summary>Confidence bands for the concept table: five equal bands of 0–1 (20 fine bins each).</summary>
    public const int ConfidenceBands = 5;

    public static List<DriftMeasure> Measures(IReadOnlyDictionary<string, DriftHistogram> reference, IReadOnlyList<DriftWindow> windows, DriftSettings settings)
    {
        var measures = new List<DriftMeasure>();
        foreach (var (name, referenceHistogram) in reference.OrderBy(r => Order(r.Key)))
        {
            var descriptor = DriftDescriptors.Find(name);
            if (descriptor is null || referenceHistogram.Events == 0 || !windows.Any(w => w.Histograms.ContainsKey(name)))
            {
                continue;
            }

            var categories = descriptor.IsContinuous ? null : Categories(referenceHistogram, windows, name);
            long[] Counts(DriftHistogram h) => descriptor.IsContinuous
                ? h.Dense(descriptor.Scale!).Select(b => b.Count).ToArray()
                : categories!.Select(c => h.Bins.TryGetValue(c, out var b) ? b.Count : 0).ToArray();

            var referenceCounts = Counts(referenceHistogram);
            var groups = descriptor.IsContinuous ? DriftStatistics.DecileGroups(referenceCounts) : null;
            long[] ForPsi(long[] counts) => groups is null ? counts : DriftStatistics.Group(counts, groups);

            var psi = new List<DriftPoint>();
            var js = new List<DriftPoint>();
            var test = new List<DriftPoint>();
            foreach (var window in windows)
            {
                var histogram = window.Histograms.GetValueOrDefault(name);
                var events = histogram?.Events ?? 0;
                if (histogram is null || events < settings.MinEvents || histogram.Members == 0)
                {
                    var none = new DriftPoint(window.Start, window.End, null, null, events, DriftStatus.TooFew);
                    psi.Add(none);
                    js.Add(none);
                    test.Add(none);
                    continue;
                }

                var counts = Counts(histogram);
                var p = DriftStatistics.Psi(ForPsi(referenceCounts), ForPsi(counts));
                psi.Add(new DriftPoint(window.Start, window.End, p, null, events, Level(p, settings.PsiWatch, settings.PsiAlert)));
                var d = DriftStatistics.JensenShannonDistance(ForPsi(referenceCounts), ForPsi(counts));
                js.Add(new DriftPoint(window.Start, window.End, d, null, events, Level(d, settings.JsWatch, settings.JsAlert)));
                var result = descriptor.IsContinuous
                    ? DriftStatistics.KolmogorovSmirnov(referenceCounts, counts)
                    : DriftStatistics.ChiSquareHomogeneity(referenceCounts, counts);
                test.Add(new DriftPoint(window.Start, window.End, result.Statistic, result.PValue, events,
                    result.PValue < settings.Alpha ? DriftStatus.Alert : DriftStatus.Ok));
            }

            var side = descriptor.Side == DriftSide.Input ? "input" : "output";
            measures.Add(Measure($"psi:{name}", DriftMeasureKind.Psi, descriptor, side, settings.PsiWatch, settings.PsiAlert,
                $"watch ≥ {settings.PsiWatch:0.###}, alert ≥ {settings.PsiAlert:0.###}", psi));
            measures.Add(Measure($"js:{name}", DriftMeasureKind.JensenShannon, descriptor, side, settings.JsWatch, settings.JsAlert,
                $"watch ≥ {settings.JsWatch:0.###}, alert ≥ {settings.JsAlert:0.###}", js));
            measures.Add(descriptor.IsContinuous
                ? Measure($"ks:{name}", DriftMeasureKind.KolmogorovSmirnov, descriptor, side, null, null, $"alert when p < {settings.Alpha:0.###}", test)
                : Measure($"chi-square:{name}", DriftMeasureKind.ChiSquare, descriptor, side, null, null, $"alert when p < {settings.Alpha:0.###}", test));
        }

        return measures;
    }

    /// <summary>Correction rate by predicted label over all windows together, against the reference's error rate per label.</summary>
    public static List<ConceptRow> ByLabel(DriftHistogram? reference, DriftHistogram? window, DriftSettings settings) =>
        reference is null || window is null ? []
        : window.Bins.Keys.Union(reference.Bins.Keys).Order(StringComparer.Ordinal)
            .Select(label => Concept(label, reference.Bins.GetValueOrDefault(label), window.Bins.GetValueOrDefault(label), settings)).ToList();

    /// <summary>Correction rate by confidence band (0–0.2, …, 0.8–1) against the reference's error rate in the same band.</summary>
    public static List<ConceptRow> ByConfidence(DriftHistogram? reference, DriftHistogram? window, DriftSettings settings)
    {
        if (reference is null || window is null)
        {
            return [];
        }

        var scale = DriftDescriptors.Confidence.Scale!;
        var (r, w) = (Bands(reference.Dense(scale)), Bands(window.Dense(scale)));
        return Enumerable.Range(0, ConfidenceBands)
            .Select(i => Concept($"{i * 0.2:0.0}–{(i + 1) * 0.2:0.0}", r[i], w[i], settings)).ToList();

        static DriftBin[] Bands(DriftBin[] fine)
        {
            var bands = new DriftBin[ConfidenceBands];
            for (var i = 0; i < fine.Length; i++)
            {
                var band = i * ConfidenceBands / fine.Length;
                bands[band] = bands[band].Add(fine[i]);
            }

            return bands;
        }
    }

    // The window's correction rate against the reference's error rate: a 2 × 2 chi-square test (right/wrong by sample),
    // claimed only with the minimum events on both sides; an alert is a rate significantly *above* the reference's.
    private static ConceptRow Concept(string key, DriftBin reference, DriftBin window, DriftSettings settings)
    {
        double? Rate(DriftBin b) => b.Count == 0 ? null : (double)b.Corrections / b.Count;
        if (reference.Count < settings.MinPerLabel || window.Count < settings.MinPerLabel)
        {
            return new ConceptRow(key, reference.Count, Rate(reference), window.Count, Rate(window), null, DriftStatus.TooFew);
        }

        var test = DriftStatistics.ChiSquareHomogeneity(
            [reference.Corrections, reference.Count - reference.Corrections], [window.Corrections, window.Count - window.Corrections]);
        var worse = Rate(window) > Rate(reference);
        return new ConceptRow(key, reference.Count, Rate(reference), window.Count, Rate(window), test.PValue,
            worse && test.PValue < settings.Alpha ? DriftStatus.Alert : DriftStatus.Ok);
    }

    private static DriftMeasure Measure(string name, string kind, DriftDescriptor descriptor, string side, double? watch, double? alert, string text, List<DriftPoint> points) =>
        new(name, kind, descriptor.Name, descriptor.Title, side, watch, alert, text, points, DriftStatus.Worst(points.Select(p => p.Status)));

    private static string Level(double value, double watch, double alert) =>
        value >= alert ? DriftStatus.Alert : value >= watch ? DriftStatus.Watch : DriftStatus.Ok;

    // Every category either side has, in one order for both.
    private static List<string> Categories(DriftHistogram reference, IReadOnlyList<DriftWindow> windows, string name) =>
        reference.Bins.Keys.Concat(windows.SelectMany(w => w.Histograms.GetValueOrDefault(name)?.Bins.Keys ?? []))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    // Inputs first in the catalog's order, then features by index, then the rest.
    private static (int, int, string) Order(string name)
    {
        var fixedAt = DriftDescriptors.Fixed.ToList().FindIndex(d => d.Name == name);
        return fixedAt >= 0 ? (0, fixedAt, name)
            : name.StartsWith("feature:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(8), out var i) ? (1, i, name)
            : (2, 0, name);
    }
}
