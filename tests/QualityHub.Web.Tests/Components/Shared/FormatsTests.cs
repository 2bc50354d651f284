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
    [InlineData(512, "512 B/s")]
    [InlineData(3 * 1048576, "3 MiB/s")]
    [InlineData(-5, "0 B/s")]
    public void Rates_read_as_bytes_per_second(double bytesPerSecond, string expected) => Assert.Equal(expected, Formats.Rate(bytesPerSecond));

    [Theory]
    [InlineData(0.2, "1 s left")]
    [InlineData(58.2, "59 s left")]
    [InlineData(59.5, "1 min 0 s left")]
    [InlineData(61, "1 min 1 s left")]
    [InlineData(-3, "0 s left")]
    public void Time_left_rounds_up_to_the_second(double seconds, string expected) =>
        Assert.Equal(expected, Formats.Remaining(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Days_and_minutes_read_in_local_time_year_first()
    {
        var at = new DateTimeOffset(2026, 10, 1, 14, 5, 59, TimeSpan.Zero);
        var local = at.ToLocalTime();

        Assert.Equal($"{local.Year:0000}-{local.Month:00}-{local.Day:00}", Formats.Day(at));
        Assert.Equal($"{local.Year:0000}-{local.Month:00}-{local.Day:00} {local.Hour:00}:{local.Minute:00}", Formats.Minute(at));
    }
}
