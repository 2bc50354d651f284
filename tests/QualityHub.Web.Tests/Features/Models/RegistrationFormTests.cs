using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Models;

public sealed class RegistrationFormTests
{
    private readonly ManualClock clock = new();

    [Fact]
    public void A_refusal_naming_a_field_of_the_form_lands_on_that_field()
    {
        var form = new RegistrationForm(clock) { Module = "m", Version = "v1" };
        form.Start();

        var outcome = form.Finish(422, """{"title":"Model not registered","detail":"Module 'm' already has a version 'v1'.","field":"version"}""");

        Assert.Equal(new RegistrationOutcome(false, "Module 'm' already has a version 'v1'.", "version"), outcome);
        Assert.Equal("Module 'm' already has a version 'v1'.", form.ErrorOf("version"));
        Assert.Null(form.ErrorOf("file"));
        Assert.False(form.Uploading);
        Assert.Equal("v1", form.Version);
    }

    [Fact]
    public void A_refusal_naming_a_field_the_form_does_not_show_is_the_whole_forms()
    {
        var form = new RegistrationForm(clock);

        var outcome = form.Finish(422, """{"detail":"There is no dataset 9 to name as training data.","field":"trainedOnDatasetId"}""");

        Assert.Null(outcome.Field);
        Assert.All(RegistrationForm.Fields, f => Assert.Null(form.ErrorOf(f)));
    }

    [Theory]
    [InlineData("", "The upload failed.")]
    [InlineData("Bad gateway", "Bad gateway")]
    [InlineData("[1]", "[1]")]
    public void An_answer_that_is_not_problem_details_is_shown_as_it_came(string body, string message) =>
        Assert.Equal(new RegistrationOutcome(false, message, null), new RegistrationForm(clock).Finish(502, body));

    [Fact]
    public void Editing_a_field_clears_its_refusal_only()
    {
        var form = new RegistrationForm(clock);
        form.Finish(0, """{"detail":"Choose an .onnx file first.","field":"file"}""");
        form.Finish(422, """{"detail":"taken","field":"version"}""");

        form.Edited("version");

        Assert.Null(form.ErrorOf("version"));
        Assert.Equal("Choose an .onnx file first.", form.ErrorOf("file"));
    }

    [Fact]
    public void A_registration_empties_the_version_for_the_next_and_says_what_was_registered()
    {
        var form = new RegistrationForm(clock) { Module = "card-text-recognizer", Version = " v2 ", Notes = "n" };

        var outcome = form.Finish(201, "{}");

        Assert.True(outcome.Registered);
        Assert.StartsWith("Registered card-text-recognizer/v2.", outcome.Message);
        Assert.Equal("", form.Version);
        Assert.Equal("card-text-recognizer", form.Module);
    }

    [Fact]
    public void Progress_reads_percent_bytes_rate_and_time_left()
    {
        var form = new RegistrationForm(clock);
        form.Start();
        clock.Advance(TimeSpan.FromSeconds(2));

        form.Report(4 * 1048576, 10 * 1048576);

        Assert.Equal(40, form.Percent);
        Assert.Equal("40 % · 4 MiB of 10 MiB · 2 MiB/s · 3 s left", form.ProgressText);
    }

    [Fact]
    public void Registering_needs_a_module_and_a_version_and_no_upload_running()
    {
        var form = new RegistrationForm(clock) { Version = "v1" };
        Assert.False(form.CanRegister);

        form.Module = "m";
        Assert.True(form.CanRegister);

        form.Start();
        Assert.False(form.CanRegister);
    }

    [Fact]
    public void The_address_carries_the_typed_fields_escaped()
    {
        var form = new RegistrationForm(clock) { Module = "a b", Version = " v&1 ", Notes = "x=y" };

        Assert.Equal("api/models?module=a%20b&version=v%261&notes=x%3Dy", form.Url);
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }
}
