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
}
