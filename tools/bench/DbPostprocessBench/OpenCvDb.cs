using OpenCvSharp;
using QualityHub.Core.Metrics;
using QualityHub.Inference.Tasks;

namespace DbPostprocessBench;

/// <summary>
/// DB post-processing through OpenCvSharp, written after PaddleOCR's DBPostProcess.boxes_from_bitmap: binarise
/// (pred &gt; threshold), findContours (RETR_LIST, CHAIN_APPROX_SIMPLE), minAreaRect, the "fast" box score (mean
/// probability under the filled box polygon), box threshold, unclip (offset by area × ratio ÷ perimeter with round
/// joins, as pyclipper's JT_ROUND does), minAreaRect again, and the corners scaled to the image and rounded.
/// </summary>
internal static class OpenCvDb
{
    // pyclipper's default arc tolerance for round joins, in pixels.
    private const double ArcTolerance = 0.25;

    public static IReadOnlyList<DetectedBox> FindBoxes(float[] map, int mapWidth, int mapHeight, int imageWidth, int imageHeight, DbSettings settings)
    {
        using var pred = Mat.FromPixelData(mapHeight, mapWidth, MatType.CV_32FC1, map);
        using var bitmap = new Mat();
        Cv2.Compare(pred, Scalar.All(settings.Threshold), bitmap, CmpTypes.GT);
        Cv2.FindContours(bitmap, out var contours, out _, RetrievalModes.List, ContourApproximationModes.ApproxSimple);

        var boxes = new List<DetectedBox>();
        foreach (var contour in contours.Take(settings.MaxCandidates))
        {
            var (points, shortSide) = MiniBox(Cv2.MinAreaRect(contour));
            if (shortSide < settings.MinSize)
            {
                continue;
            }

            var score = (float)ScoreFast(pred, points);
            if (score < settings.BoxThreshold)
            {
                continue;
            }

            var (grown, grownShortSide) = MiniBox(Cv2.MinAreaRect(Unclip(points, settings.UnclipRatio)));
            if (grownShortSide < settings.MinSize + 2)
            {
                continue;
            }

            var corners = grown
                .Select(p => new Vertex(
                    (float)Math.Clamp(Math.Round(p.X / mapWidth * imageWidth), 0, imageWidth),
                    (float)Math.Clamp(Math.Round(p.Y / mapHeight * imageHeight), 0, imageHeight)))
                .ToArray();
            boxes.Add(new DetectedBox(corners, score));
        }

        // The same reading order as the product's, so both give a caller the same thing.
        return TextDetection.Lines(boxes).SelectMany(line => line).ToList();
    }

    // PaddleOCR's get_mini_boxes: the rectangle's corners sorted by x, then top-left, top-right, bottom-right, bottom-left.
    private static (Point2f[] Box, float ShortSide) MiniBox(RotatedRect rectangle)
    {
        var p = rectangle.Points().OrderBy(q => q.X).ToArray();
        var (first, fourth) = p[1].Y > p[0].Y ? (p[0], p[1]) : (p[1], p[0]);
        var (second, third) = p[3].Y > p[2].Y ? (p[2], p[3]) : (p[3], p[2]);
        return ([first, second, third, fourth], Math.Min(rectangle.Size.Width, rectangle.Size.Height));
    }

    // PaddleOCR's box_score_fast: the mean of the map under the box polygon filled (integer corners) in its bounding window.
    private static double ScoreFast(Mat pred, Point2f[] box)
    {
        int width = pred.Cols, height = pred.Rows;
        var xmin = Math.Clamp((int)Math.Floor(box.Min(p => p.X)), 0, width - 1);
        var xmax = Math.Clamp((int)Math.Ceiling(box.Max(p => p.X)), 0, width - 1);
        var ymin = Math.Clamp((int)Math.Floor(box.Min(p => p.Y)), 0, height - 1);
        var ymax = Math.Clamp((int)Math.Ceiling(box.Max(p => p.Y)), 0, height - 1);
        using var mask = new Mat(ymax - ymin + 1, xmax - xmin + 1, MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillPoly(mask, [box.Select(p => new Point((int)(p.X - xmin), (int)(p.Y - ymin))).ToArray()], Scalar.All(1));
        using var window = new Mat(pred, new Rect(xmin, ymin, xmax - xmin + 1, ymax - ymin + 1));
        return Cv2.Mean(window, mask).Val0;
    }

    // The box offset outward by d = area × ratio ÷ perimeter with round joins (pyclipper JT_ROUND, ET_CLOSEDPOLYGON):
    // each side moved out by d, each corner an arc of radius d drawn in steps within the arc tolerance.
    private static Point2f[] Unclip(Point2f[] box, float ratio)
    {
        double area = 0, perimeter = 0, cx = 0, cy = 0;
        for (var i = 0; i < 4; i++)
        {
            var (a, b) = (box[i], box[(i + 1) % 4]);
            area += (double)a.X * b.Y - (double)b.X * a.Y;
            perimeter += Math.Sqrt(Math.Pow(b.X - a.X, 2) + Math.Pow(b.Y - a.Y, 2));
            (cx, cy) = (cx + a.X / 4.0, cy + a.Y / 4.0);
        }

        var d = perimeter == 0 ? 0 : Math.Abs(area) / 2 * ratio / perimeter;
        var stepsPerCircle = d <= ArcTolerance ? 4 : Math.PI / Math.Acos(1 - ArcTolerance / d);

        // The outward normal of side i (from corner i to corner i + 1).
        (double X, double Y) Normal(int i)
        {
            var (a, b) = (box[i], box[(i + 1) % 4]);
            double ex = b.X - a.X, ey = b.Y - a.Y;
            var length = Math.Sqrt(ex * ex + ey * ey);
            (double X, double Y) n = length == 0 ? (0, 0) : (ey / length, -ex / length);
            var outward = (n.X * ((a.X + b.X) / 2 - cx)) + (n.Y * ((a.Y + b.Y) / 2 - cy));
            return outward < 0 ? (-n.X, -n.Y) : n;
        }

        var polygon = new List<Point2f>();
        for (var i = 0; i < 4; i++)
        {
            var (from, to) = (Normal((i + 3) % 4), Normal(i));
            var start = Math.Atan2(from.Y, from.X);
            var sweep = Math.Atan2(to.Y, to.X) - start;
            sweep = Math.IEEERemainder(sweep, 2 * Math.PI);
            var steps = Math.Max(1, (int)Math.Ceiling(stepsPerCircle * Math.Abs(sweep) / (2 * Math.PI)));
            for (var k = 0; k <= steps; k++)
            {
                var angle = start + sweep * k / steps;
                polygon.Add(new Point2f((float)(box[i].X + d * Math.Cos(angle)), (float)(box[i].Y + d * Math.Sin(angle))));
            }
        }

        return [.. polygon];
    }
}
