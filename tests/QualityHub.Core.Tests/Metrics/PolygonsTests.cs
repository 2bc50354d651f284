using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class PolygonsTests
{
    // An axis-aligned rectangle, corners counter-clockwise from the lower left (y up).
    private static Quad Box(float x0, float y0, float x1, float y1) => Quad.Of(x0, y0, x1, y0, x1, y1, x0, y1);

    [Fact]
    public void Identical_squares_have_an_IoU_of_one()
    {
        Assert.Equal(1, Polygons.Iou(Box(0, 0, 10, 10), Box(0, 0, 10, 10)), precision: 12);
        Assert.Equal(100, Polygons.Area(Box(0, 0, 10, 10)), precision: 12);
    }

    [Fact]
    public void Rectangles_overlapping_by_half_of_each_have_an_IoU_of_one_third() =>
        Assert.Equal(1.0 / 3, Polygons.Iou(Box(0, 0, 2, 1), Box(1, 0, 3, 1)), precision: 12);

    [Fact]
    public void Disjoint_and_edge_touching_regions_have_an_IoU_of_zero()
    {
        Assert.Equal(0, Polygons.Iou(Box(0, 0, 1, 1), Box(5, 5, 6, 6)));
        Assert.Equal(0, Polygons.Iou(Box(0, 0, 1, 1), Box(1, 0, 2, 1)));
        // The bounding boxes overlap but the regions do not: a diamond's edge passes just beyond the square's corner.
        Assert.Equal(0, Polygons.Iou(Box(0, 0, 1, 1), Quad.Of(1.5f, 0.5f, 2.5f, 1.5f, 1.5f, 2.5f, 0.6f, 1.5f)));
    }

    [Fact]
    public void A_square_turned_45_degrees_about_its_centre_overlaps_itself_by_one_over_root_two()
    {
        // The turned square (a diamond with corners √50 from the centre) cuts four right isosceles triangles with legs
        // 10 − √50 off the square: shared = 100 − 2(10 − √50)², union = 200 − shared, IoU = 1/√2.
        var r = (float)Math.Sqrt(50);
        var diamond = Quad.Of(5, 5 - r, 5 + r, 5, 5, 5 + r, 5 - r, 5);

        Assert.Equal(1 / Math.Sqrt(2), Polygons.Iou(Box(0, 0, 10, 10), diamond), precision: 6);
        Assert.Equal(100, Polygons.Area(diamond), precision: 4);
    }

    [Fact]
    public void A_square_turned_by_an_angle_overlaps_its_axis_aligned_self_as_worked_out_by_hand()
    {
        // The unit square |x|, |y| ≤ ½ and the same square turned by θ = 30°: |x cos θ + y sin θ| ≤ ½, |y cos θ − x sin θ| ≤ ½.
        // The upright corner (½, ½) lies d = ½(cos θ + sin θ) − ½ past the turned edge x cos θ + y sin θ = ½, which cuts
        // off a right triangle with legs d / sin θ (down the side x = ½) and d / cos θ (along the top y = ½): area
        // d² / sin 2θ. Both squares map to themselves under quarter turns, so the four corners lose the same triangle.
        var theta = Math.PI / 6;
        var (c, s) = (Math.Cos(theta), Math.Sin(theta));
        var d = (0.5 * (c + s)) - 0.5;
        var shared = 1 - (4 * d * d / Math.Sin(2 * theta));
        var expected = shared / (2 - shared);

        var corners = new[] { (-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5) }
            .SelectMany(p => new[] { (float)((p.Item1 * c) - (p.Item2 * s)), (float)((p.Item1 * s) + (p.Item2 * c)) })
            .ToArray();

        Assert.Equal(expected, Polygons.Iou(Box(-0.5f, -0.5f, 0.5f, 0.5f), Quad.Of(corners)), precision: 6);
        Assert.InRange(expected, 0.73, 0.74);
    }

    [Fact]
    public void Corner_order_does_not_matter_reversed_rotated_or_crossed()
    {
        var other = Quad.Of(3, 1, 12, 2, 11, 9, 2, 8);
        var forward = Quad.Of(0, 0, 10, 0, 10, 5, 0, 5);
        var clockwise = Quad.Of(0, 5, 10, 5, 10, 0, 0, 0);
        var startingElsewhere = Quad.Of(10, 5, 0, 5, 0, 0, 10, 0);
        var crossed = Quad.Of(0, 0, 10, 5, 10, 0, 0, 5);

        var iou = Polygons.Iou(forward, other);

        Assert.InRange(iou, 0.2, 0.8);
        Assert.Equal(iou, Polygons.Iou(clockwise, other), precision: 12);
        Assert.Equal(iou, Polygons.Iou(startingElsewhere, other), precision: 12);
        Assert.Equal(iou, Polygons.Iou(crossed, other), precision: 12);
        Assert.Equal(iou, Polygons.Iou(other, clockwise), precision: 12);
    }

    [Fact]
    public void A_concave_quad_is_measured_as_its_convex_hull() =>
        // An arrowhead: the triangle (0,0) (10,0) (0,10) with its fourth corner (2,2) inside.
        Assert.Equal(50, Polygons.Area(Quad.Of(0, 0, 10, 0, 2, 2, 0, 10)), precision: 12);

    [Theory]
    [InlineData(new float[] { 3, 3, 3, 3, 3, 3, 3, 3 })]
    [InlineData(new float[] { 0, 0, 1, 1, 2, 2, 3, 3 })]
    [InlineData(new float[] { 0, 0, 4, 0, 4, 0, 0, 0 })]
    public void A_degenerate_quad_has_no_area_and_an_IoU_of_zero_never_NaN(float[] coordinates)
    {
        var flat = Quad.Of(coordinates);

        Assert.Equal(0, Polygons.Area(flat));
        Assert.Equal(0, Polygons.Iou(flat, Box(0, 0, 4, 4)));
        Assert.Equal(0, Polygons.Iou(flat, flat));
    }

    [Fact]
    public void A_quad_that_cannot_be_measured_is_refused()
    {
        Assert.Contains("4 points, not 3", Assert.Throws<ArgumentException>(() => Polygons.Iou(Quad.Of(0, 0, 1, 0, 1, 1), Box(0, 0, 1, 1))).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => Polygons.Area(Quad.Of(0, 0, float.NaN, 0, 1, 1, 0, 1))).Message);
        Assert.Throws<ArgumentException>(() => Quad.Of(0, 0, 1));
    }
}
