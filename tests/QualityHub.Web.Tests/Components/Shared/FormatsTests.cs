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
}
