using QualityHub.Core.Metrics;

namespace QualityHub.Inference.Tasks;

/// <summary>
/// A detected text region: four corners clockwise from the top-left in the pixels of the image the detector was given,
/// and the detector's mean probability inside it.
/// </summary>
public sealed record DetectedBox(IReadOnlyList<Vertex> Corners, float Score)
{
    /// <summary>The box as the detection metrics take it.</summary>
    public Quad Quad => new(Corners);
}

/// <summary>What a detector's probability map gave: the kept boxes, and how many regions were over the candidate cap.</summary>
public sealed record TextDetectionResult(IReadOnlyList<DetectedBox> Boxes, int Regions, int DroppedOverCap);

/// <summary>
/// Differentiable-binarisation (DB) post-processing settings, PaddleOCR's defaults for its PP-OCR detectors:
/// a pixel is text above <see cref="Threshold"/>; a region is kept when its mean probability reaches
/// <see cref="BoxThreshold"/>; its box grows by <see cref="UnclipRatio"/> (the network predicts shrunk regions).
/// </summary>
public sealed record DbSettings
{
    public float Threshold { get; init; } = 0.3f;

    public float BoxThreshold { get; init; } = 0.6f;

    public float UnclipRatio { get; init; } = 1.5f;

    /// <summary>The most regions looked at per image; the rest are dropped and counted (a map full of noise must not take the server).</summary>
    public int MaxCandidates { get; init; } = 1000;

    /// <summary>A box whose shorter side is under this (in map pixels) before unclipping, or under it + 2 after, is noise.</summary>
    public int MinSize { get; init; } = 3;

    /// <summary>The longest side an image is resized to before detection (then both sides to multiples of 32).</summary>
    public int LimitSide { get; init; } = 960;

    /// <summary>Throws <see cref="InvalidModelCardException"/> naming the first setting that cannot work.</summary>
    public void Check()
    {
        if (!(Threshold is > 0 and < 1) || !(BoxThreshold is >= 0 and <= 1))
        {
            throw new InvalidModelCardException($"detection.threshold must be between 0 and 1 (exclusive) and detection.boxThreshold between 0 and 1, not {Threshold} and {BoxThreshold}.");
        }

        if (!(UnclipRatio is >= 0 and <= 10))
        {
            throw new InvalidModelCardException($"detection.unclipRatio must be between 0 and 10, not {UnclipRatio}.");
        }

        if (MaxCandidates is < 1 or > 100_000 || MinSize is < 1 or > 1000 || LimitSide is < 32 or > 8192)
        {
            throw new InvalidModelCardException(
                $"detection.maxCandidates (1–100000), detection.minSize (1–1000) and detection.limitSide (32–8192) are {MaxCandidates}, {MinSize} and {LimitSide}.");
        }
    }
}

/// <summary>
/// Text detection's post-processing, written from the DB paper's and PaddleOCR's description: the probability map is
/// binarised, each 8-connected region of text pixels becomes its minimum-area rectangle (rotating calipers over the
/// region's convex hull, through pixel centres), scored by the map's mean inside the rectangle, then grown by
/// d = area × ratio ÷ perimeter on every side — for a rectangle exactly what offsetting the polygon by d with round
/// joins and taking the minimum-area rectangle again gives — and scaled to the original image.
/// </summary>
public static class TextDetection
{
    /// <summary>
    /// The size a detector's input is resized to (PaddleOCR's rule for its PP-OCR detectors): the longer side at most
    /// <paramref name="limitSide"/>, keeping the aspect ratio, then each side rounded to a multiple of 32 (at least 32).
    /// </summary>
    public static (int Width, int Height) InputSize(int width, int height, int limitSide = 960)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limitSide, 32);
        var ratio = Math.Max(width, height) > limitSide ? (double)limitSide / Math.Max(width, height) : 1;
        static int Round32(double side) => Math.Max(32, (int)Math.Round(side / 32) * 32);
        return (Round32(width * ratio), Round32(height * ratio));
    }

    /// <summary>
    /// The boxes in <paramref name="map"/> (<paramref name="mapWidth"/> × <paramref name="mapHeight"/> probabilities,
    /// rows top to bottom), in the coordinates of an image of <paramref name="imageWidth"/> × <paramref name="imageHeight"/>
    /// pixels that was resized to the map's size; in reading order (lines top to bottom, left to right in a line).
    /// </summary>
    public static TextDetectionResult FindBoxes(ReadOnlySpan<float> map, int mapWidth, int mapHeight, int imageWidth, int imageHeight, DbSettings? settings = null)
    {
        settings ??= new DbSettings();
        ArgumentOutOfRangeException.ThrowIfLessThan(mapWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(mapHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MinSize, 1);
        if (map.Length != (long)mapWidth * mapHeight)
        {
            throw new ArgumentException($"A {mapWidth}x{mapHeight} probability map has {(long)mapWidth * mapHeight} values, not {map.Length}.");
        }

        var regions = Regions(map, mapWidth, mapHeight, settings.Threshold);
        var scaleX = (float)imageWidth / mapWidth;
        var scaleY = (float)imageHeight / mapHeight;
        var boxes = new List<DetectedBox>();
        foreach (var region in regions.Take(settings.MaxCandidates))
        {
            var rectangle = MinimumAreaRectangle(Polygons.ConvexHull(region));
            if (rectangle.ShortSide < settings.MinSize)
            {
                continue;
            }

            var score = MeanInside(map, mapWidth, mapHeight, rectangle.Corners);
            if (score < settings.BoxThreshold)
            {
                continue;
            }

            var grown = rectangle.Grown(rectangle.Area * settings.UnclipRatio / rectangle.Perimeter);
            if (grown.ShortSide < settings.MinSize + 2)
            {
                continue;
            }

            var corners = Ordered(grown.Corners)
                .Select(p => new Vertex(Math.Clamp(p.X * scaleX, 0, imageWidth), Math.Clamp(p.Y * scaleY, 0, imageHeight)))
                .ToArray();
            boxes.Add(new DetectedBox(corners, score));
        }

        return new TextDetectionResult(ReadingOrder(boxes), regions.Count, Math.Max(0, regions.Count - settings.MaxCandidates));
    }

    // Lines top to bottom, boxes left to right in a line.
    private static List<DetectedBox> ReadingOrder(List<DetectedBox> boxes) => Lines(boxes).SelectMany(line => line).ToList();

    /// <summary>
    /// Boxes grouped into lines of text, top to bottom, each line's boxes left to right: a box whose top is within half
    /// its height of the line's first box's top is on that line (a card number's groups, found as separate boxes, make one line).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<DetectedBox>> Lines(IEnumerable<DetectedBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var lines = new List<IReadOnlyList<DetectedBox>>();
        var line = new List<DetectedBox>();
        foreach (var box in boxes.OrderBy(b => b.Corners[0].Y))
        {
            if (line.Count > 0 && box.Corners[0].Y - line[0].Corners[0].Y > (box.Corners[3].Y - box.Corners[0].Y) / 2)
            {
                lines.Add(line.OrderBy(b => b.Corners[0].X).ToList());
                line = [];
            }

            line.Add(box);
        }

        if (line.Count > 0)
        {
            lines.Add(line.OrderBy(b => b.Corners[0].X).ToList());
        }

        return lines;
    }

    // 8-connected regions of pixels over the threshold, each as its pixels' row extremes (enough for the convex hull),
    // in the order their first pixel is met scanning rows.
    private static List<List<Vertex>> Regions(ReadOnlySpan<float> map, int width, int height, float threshold)
    {
        var label = new int[map.Length];
        var regions = new List<List<Vertex>>();
        var stack = new Stack<int>();
        for (var start = 0; start < map.Length; start++)
        {
            if (label[start] != 0 || !(map[start] > threshold))
            {
                continue;
            }

            var id = regions.Count + 1;
            var rows = new Dictionary<int, (int Left, int Right)>();
            label[start] = id;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var at = stack.Pop();
                int x = at % width, y = at / width;
                rows[y] = rows.TryGetValue(y, out var span) ? (Math.Min(span.Left, x), Math.Max(span.Right, x)) : (x, x);
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if ((dx | dy) == 0 || nx < 0 || ny < 0 || nx >= width || ny >= height)
                        {
                            continue;
                        }

                        var next = ny * width + nx;
                        if (label[next] == 0 && map[next] > threshold)
                        {
                            label[next] = id;
                            stack.Push(next);
                        }
                    }
                }
            }

            var points = new List<Vertex>(rows.Count * 2);
            foreach (var (y, (left, right)) in rows)
            {
                points.Add(new Vertex(left, y));
                if (right != left)
                {
                    points.Add(new Vertex(right, y));
                }
            }

            regions.Add(points);
        }

        return regions;
    }

    /// <summary>
    /// A box grown as DB's unclip grows the regions it finds: every side moved out by area × ratio ÷ perimeter, along
    /// the box's own axes. Applied to a test set's tight true box, it gives a recogniser the margins it gets from the detector.
    /// </summary>
    public static IReadOnlyList<Vertex> Unclip(IReadOnlyList<Vertex> corners, float ratio)
    {
        ArgumentNullException.ThrowIfNull(corners);
        if (corners.Count != 4)
        {
            throw new ArgumentException($"A box has 4 corners, not {corners.Count}.", nameof(corners));
        }

        static (double X, double Y) Unit(Vertex from, Vertex to)
        {
            double dx = to.X - from.X, dy = to.Y - from.Y;
            var length = Math.Sqrt(dx * dx + dy * dy);
            return length == 0 ? (0, 0) : (dx / length, dy / length);
        }

        var perimeter = Enumerable.Range(0, 4).Sum(i => Math.Sqrt(Math.Pow(corners[(i + 1) % 4].X - corners[i].X, 2) + Math.Pow(corners[(i + 1) % 4].Y - corners[i].Y, 2)));
        var d = perimeter == 0 ? 0 : Polygons.Area(new Quad(corners)) * ratio / perimeter;
        var (ux, uy) = Unit(corners[0], corners[1]);
        var (vx, vy) = Unit(corners[0], corners[3]);
        Vertex Moved(Vertex p, int alongU, int alongV) => new((float)(p.X + d * (alongU * ux + alongV * vx)), (float)(p.Y + d * (alongU * uy + alongV * vy)));
        return [Moved(corners[0], -1, -1), Moved(corners[1], 1, -1), Moved(corners[2], 1, 1), Moved(corners[3], -1, 1)];
    }

    // The rectangle of least area holding the hull: one of its sides lies along a hull edge (rotating calipers).
    internal static Rectangle MinimumAreaRectangle(IReadOnlyList<Vertex> hull)
    {
        if (hull.Count == 0)
        {
            return new Rectangle(0, 0, 0, 0, 1, 0);
        }

        if (hull.Count == 1)
        {
            return new Rectangle(hull[0].X, hull[0].Y, 0, 0, 1, 0);
        }

        Rectangle? best = null;
        for (var i = 0; i < hull.Count; i++)
        {
            var a = hull[i];
            var b = hull[(i + 1) % hull.Count];
            double ex = b.X - a.X, ey = b.Y - a.Y;
            var length = Math.Sqrt(ex * ex + ey * ey);
            if (length == 0)
            {
                continue;
            }

            (ex, ey) = (ex / length, ey / length);
            double minU = double.MaxValue, maxU = double.MinValue, minV = double.MaxValue, maxV = double.MinValue;
            foreach (var p in hull)
            {
                var u = p.X * ex + p.Y * ey;
                var v = -p.X * ey + p.Y * ex;
                (minU, maxU, minV, maxV) = (Math.Min(minU, u), Math.Max(maxU, u), Math.Min(minV, v), Math.Max(maxV, v));
            }

            double w = maxU - minU, h = maxV - minV;
            if (best is null || w * h < best.Area)
            {
                double cu = (minU + maxU) / 2, cv = (minV + maxV) / 2;
                best = new Rectangle(cu * ex - cv * ey, cu * ey + cv * ex, w, h, ex, ey);
            }
        }

        return best!;
    }

    // The map's mean over the pixels whose centres lie inside the box. PaddleOCR's "fast" score fills the box's outline in
    // whole pixels, edge pixels included, so it runs about 0.1 lower on these maps (tools/bench/DbPostprocessBench).
    private static float MeanInside(ReadOnlySpan<float> map, int width, int height, IReadOnlyList<Vertex> corners)
    {
        var left = Math.Clamp((int)Math.Floor(corners.Min(p => p.X)), 0, width - 1);
        var right = Math.Clamp((int)Math.Ceiling(corners.Max(p => p.X)), 0, width - 1);
        var top = Math.Clamp((int)Math.Floor(corners.Min(p => p.Y)), 0, height - 1);
        var bottom = Math.Clamp((int)Math.Ceiling(corners.Max(p => p.Y)), 0, height - 1);
        double sum = 0;
        var count = 0;
        for (var y = top; y <= bottom; y++)
        {
            for (var x = left; x <= right; x++)
            {
                if (Inside(corners, x, y))
                {
                    sum += map[y * width + x];
                    count++;
                }
            }
        }

        return count == 0 ? 0 : (float)(sum / count);
    }

    // Inside or on the edge of a convex quadrilateral, whichever way round its corners go.
    private static bool Inside(IReadOnlyList<Vertex> quad, double x, double y)
    {
        int positive = 0, negative = 0;
        for (var i = 0; i < quad.Count; i++)
        {
            var a = quad[i];
            var b = quad[(i + 1) % quad.Count];
            var cross = ((double)b.X - a.X) * (y - a.Y) - ((double)b.Y - a.Y) * (x - a.X);
            positive += cross > 1e-9 ? 1 : 0;
            negative += cross < -1e-9 ? 1 : 0;
        }

        return positive == 0 || negative == 0;
    }

    // Clockwise on screen from the top-left: of the two leftmost corners the upper is first and the lower last, of the
    // two rightmost the upper is second (PaddleOCR's order, so boxes compare with its own).
    private static Vertex[] Ordered(IReadOnlyList<Vertex> corners)
    {
        var byX = corners.OrderBy(p => p.X).ThenBy(p => p.Y).ToArray();
        var (topLeft, bottomLeft) = byX[0].Y <= byX[1].Y ? (byX[0], byX[1]) : (byX[1], byX[0]);
        var (topRight, bottomRight) = byX[2].Y <= byX[3].Y ? (byX[2], byX[3]) : (byX[3], byX[2]);
        return [topLeft, topRight, bottomRight, bottomLeft];
    }

    /// <summary>A rotated rectangle: centre, side along the unit direction (ux, uy), and the side across it.</summary>
    internal sealed record Rectangle(double CenterX, double CenterY, double Along, double Across, double Ux, double Uy)
    {
        public double Area => Along * Across;

        public double Perimeter => 2 * (Along + Across);

        public double ShortSide => Math.Min(Along, Across);

        public Rectangle Grown(double by) => this with { Along = Along + 2 * by, Across = Across + 2 * by };

        public IReadOnlyList<Vertex> Corners
        {
            get
            {
                double hu = Along / 2, hv = Across / 2;
                Vertex At(double u, double v) => new((float)(CenterX + u * Ux - v * Uy), (float)(CenterY + u * Uy + v * Ux));
                return [At(-hu, -hv), At(hu, -hv), At(hu, hv), At(-hu, hv)];
            }
        }
    }
}
