namespace QualityHub.Core.Metrics;

/// <summary>A corner of a region, in image pixels.</summary>
public readonly record struct Vertex(float X, float Y);

/// <summary>
/// A text region as an annotator or a detector gives it: four corners, in either winding order. Nothing is checked
/// when one is made, so a file can be held as it was read; <see cref="DetectionMetrics"/> checks each region and names
/// the image and region of a bad one. A region is measured as the convex hull of its corners (see <see cref="Polygons"/>).
/// </summary>
public sealed record Quad(IReadOnlyList<Vertex> Points)
{
    /// <summary>A quad from coordinates x1, y1, x2, y2, … in the order ICDAR's files list them.</summary>
    public static Quad Of(params ReadOnlySpan<float> coordinates)
    {
        if (coordinates.Length % 2 != 0)
        {
            throw new ArgumentException($"Coordinates come in x, y pairs; {coordinates.Length} numbers were given.", nameof(coordinates));
        }

        var points = new Vertex[coordinates.Length / 2];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new Vertex(coordinates[2 * i], coordinates[(2 * i) + 1]);
        }

        return new Quad(points);
    }
}

/// <summary>
/// Areas and intersection over union of quads. Each quad is measured as the convex hull of its four corners, so the
/// order of the corners does not matter: either winding, any first corner, even a crossed ("bow-tie") order give the
/// same region. For a convex quad, as text boxes are, that is the quad itself and the figures are exact; a concave quad
/// is measured as its hull. Corners on one line (or all at one point) make a region with no area.
/// </summary>
public static class Polygons
{
    /// <summary>The region's area in square pixels; 0 for a degenerate quad.</summary>
    public static double Area(Quad quad) => ConvexRegion.Of(Checked(quad)).Area;

    /// <summary>
    /// Intersection over union: the area the two regions share over the area they cover together, in [0, 1]. 0 when
    /// they do not overlap or either has no area (never NaN). The shared area is found by clipping one convex region
    /// by the other (Sutherland–Hodgman).
    /// </summary>
    public static double Iou(Quad a, Quad b) => ConvexRegion.Of(Checked(a)).Iou(ConvexRegion.Of(Checked(b)));

    /// <summary>
    /// The convex hull of <paramref name="points"/> (Andrew's monotone chain), counter-clockwise with y pointing down,
    /// without repeated points or points on a hull edge; fewer than three distinct points come back as they are, sorted.
    /// </summary>
    public static IReadOnlyList<Vertex> ConvexHull(IEnumerable<Vertex> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var sorted = points.Distinct().OrderBy(p => p.X).ThenBy(p => p.Y).ToList();
        if (sorted.Count < 3)
        {
            return sorted;
        }

        static double Cross(Vertex o, Vertex a, Vertex b) => (((double)a.X - o.X) * ((double)b.Y - o.Y)) - (((double)a.Y - o.Y) * ((double)b.X - o.X));
        var hull = new List<Vertex>(sorted.Count + 1);
        foreach (var pass in new[] { sorted, Enumerable.Reverse(sorted).ToList() })
        {
            var start = hull.Count;
            foreach (var p in pass)
            {
                while (hull.Count >= start + 2 && Cross(hull[^2], hull[^1], p) <= 0)
                {
                    hull.RemoveAt(hull.Count - 1);
                }

                hull.Add(p);
            }

            // Each chain's last point is the next chain's first.
            hull.RemoveAt(hull.Count - 1);
        }

        return hull;
    }

    /// <summary>Why <paramref name="quad"/> cannot be measured, or null when it can: four points with finite coordinates.</summary>
    internal static string? Problem(Quad? quad)
    {
        if (quad?.Points is null)
        {
            return "no quad was given";
        }

        if (quad.Points.Count != 4)
        {
            return $"a quad has 4 points, not {quad.Points.Count}";
        }

        for (var i = 0; i < 4; i++)
        {
            var p = quad.Points[i];
            if (!float.IsFinite(p.X) || !float.IsFinite(p.Y))
            {
                return $"point {i} is ({p.X}, {p.Y}); coordinates must be finite numbers";
            }
        }

        return null;
    }

    private static Quad Checked(Quad quad) =>
        Problem(quad) is { } problem ? throw new ArgumentException($"The quad cannot be measured: {problem}.", nameof(quad)) : quad;
}

/// <summary>
/// A quad's convex hull, corners counter-clockwise (y up), with its area and bounding box: computed once per region so
/// that matching many regions against each other measures each only once.
/// </summary>
internal sealed class ConvexRegion
{
    // Clipping by one edge keeps each corner at most once and adds at most one crossing per corner, so four edges turn
    // four corners into at most 4 · 2⁴. Exact arithmetic would give at most eight; rounding cannot overrun this.
    private const int MaxCorners = 64;

    private readonly PointD[] corners;

    private ConvexRegion(PointD[] corners)
    {
        this.corners = corners;
        Area = corners.Length < 3 ? 0 : Math.Max(0, SignedArea(corners));
        (MinX, MinY, MaxX, MaxY) = (double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);
        foreach (var c in corners)
        {
            (MinX, MinY, MaxX, MaxY) = (Math.Min(MinX, c.X), Math.Min(MinY, c.Y), Math.Max(MaxX, c.X), Math.Max(MaxY, c.Y));
        }
    }

    public double Area { get; }

    public double MinX { get; }

    public double MinY { get; }

    public double MaxX { get; }

    public double MaxY { get; }

    /// <summary>The convex hull of a checked quad's corners (<see cref="Polygons.ConvexHull"/>); corners on a hull edge are dropped.</summary>
    public static ConvexRegion Of(Quad quad) => new([.. Polygons.ConvexHull(quad.Points).Select(p => new PointD(p.X, p.Y))]);

    /// <summary>Intersection over union with <paramref name="other"/>; 0 when either has no area or their boxes do not overlap.</summary>
    public double Iou(ConvexRegion other)
    {
        if (Area <= 0 || other.Area <= 0 || !BoxesOverlap(other))
        {
            return 0;
        }

        var shared = Math.Min(SharedArea(other), Math.Min(Area, other.Area));
        var union = Area + other.Area - shared;
        return union <= 0 ? 0 : Math.Clamp(shared / union, 0, 1);
    }

    /// <summary>Whether the bounding boxes share some area (regions whose boxes only touch share none).</summary>
    private bool BoxesOverlap(ConvexRegion other) =>
        MinX < other.MaxX && other.MinX < MaxX && MinY < other.MaxY && other.MinY < MaxY;

    // Sutherland–Hodgman: this region cut by the half-plane left of each edge of the other (both counter-clockwise).
    private double SharedArea(ConvexRegion clip)
    {
        Span<PointD> input = stackalloc PointD[MaxCorners];
        Span<PointD> output = stackalloc PointD[MaxCorners];
        corners.CopyTo(output);
        var count = corners.Length;
        for (var e = 0; e < clip.corners.Length && count > 0; e++)
        {
            var (a, b) = (clip.corners[e], clip.corners[(e + 1) % clip.corners.Length]);
            output[..count].CopyTo(input);
            var inputCount = count;
            count = 0;
            var previous = input[inputCount - 1];
            var previousSide = Cross(a, b, previous);
            for (var i = 0; i < inputCount; i++)
            {
                var current = input[i];
                var side = Cross(a, b, current);
                if ((side >= 0) != (previousSide >= 0))
                {
                    // The sides differ in sign, so the denominator is not 0.
                    var t = previousSide / (previousSide - side);
                    output[count++] = new PointD(previous.X + (t * (current.X - previous.X)), previous.Y + (t * (current.Y - previous.Y)));
                }

                if (side >= 0)
                {
                    output[count++] = current;
                }

                (previous, previousSide) = (current, side);
            }
        }

        return count < 3 ? 0 : Math.Max(0, SignedArea(output[..count]));
    }

    // Twice the signed area of triangle (o, a, b): positive when o → a → b turns counter-clockwise.
    private static double Cross(PointD o, PointD a, PointD b) => ((a.X - o.X) * (b.Y - o.Y)) - ((a.Y - o.Y) * (b.X - o.X));

    // The shoelace formula: positive for counter-clockwise corners.
    private static double SignedArea(ReadOnlySpan<PointD> polygon)
    {
        var sum = 0.0;
        for (var i = 0; i < polygon.Length; i++)
        {
            var (p, q) = (polygon[i], polygon[(i + 1) % polygon.Length]);
            sum += (p.X * q.Y) - (q.X * p.Y);
        }

        return sum / 2;
    }

    private readonly record struct PointD(double X, double Y);
}
