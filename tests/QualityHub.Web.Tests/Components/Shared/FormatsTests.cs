using QualityHub.Core.Domain;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Tests.Components.Shared;

public class FormatsTests
{
    [Theory]
    [InlineData(ServingTarget.CloudCpu, "cloud CPU")]
    [InlineData(ServingTarget.LocalGpu, "local GPU")]
    [InlineData(ServingTarget.Mobile, "mobile")]
    public void Enum_values_read_as_words_with_acronyms_in_capitals(ServingTarget target, string expected) =>
        Assert.Equal(expected, Formats.Enum(target));

    [Fact]
    public void Task_types_read_as_words() => Assert.Equal("text recognition", Formats.Enum(TaskType.TextRecognition));

    [Theory]
    [InlineData(0, "0")]
    [InlineData(12.34, "12.3")]
    [InlineData(1234.56, "1,234.6")]
    public void Rates_have_one_decimal_at_most_and_grouped_thousands(double perSecond, string expected) =>
        Assert.Equal(expected, Formats.Rate(perSecond));

    [Fact]
    public void Seconds_have_one_decimal() => Assert.Equal("4.2 s", Formats.Seconds(4.24));

    [Fact]
    public void Moments_read_in_utc_whatever_their_offset()
    {
        var at = new DateTimeOffset(2026, 3, 14, 11, 5, 7, TimeSpan.FromHours(2));

        Assert.Equal("2026-03-14", Formats.Date(at));
        Assert.Equal("2026-03-14 09:05", Formats.Minute(at));
        Assert.Equal("2026-03-14 09:05:07", Formats.Timestamp(at));
    }

    [Fact]
    public void A_moment_late_in_the_day_elsewhere_is_the_next_utc_day() =>
        Assert.Equal("2026-03-15", Formats.Date(new DateTimeOffset(2026, 3, 14, 23, 30, 0, TimeSpan.FromHours(-3))));

    [Theory]
    [InlineData(512, "512 B/s")]
    [InlineData(3 * 1048576, "3 MiB/s")]
    [InlineData(-5, "0 B/s")]
    public void Transfer_rates_read_as_bytes_per_second(double bytesPerSecond, string expected) => Assert.Equal(expected, Formats.TransferRate(bytesPerSecond));

    [Theory]
    [InlineData(0.2, "1 s left")]
    [InlineData(58.2, "59 s left")]
    [InlineData(59.5, "1 min 0 s left")]
    [InlineData(61, "1 min 1 s left")]
    [InlineData(-3, "0 s left")]
    public void Time_left_rounds_up_to_the_second(double seconds, string expected) =>
        Assert.Equal(expected, Formats.Remaining(TimeSpan.FromSeconds(seconds)));
}
