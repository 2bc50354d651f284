using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Tests.Components.Shared;

public class FieldErrorsTests
{
    [Fact]
    public void A_refusal_of_a_known_field_is_kept_for_that_field_only()
    {
        var errors = new FieldErrors();

        Assert.True(errors.Set("email", "taken", "email", "password"));

        Assert.Equal("taken", errors.For("EMAIL"));
        Assert.True(errors.Has("email"));
        Assert.Null(errors.For("password"));
        Assert.False(errors.Has("password"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("status")]
    public void A_refusal_naming_no_field_of_the_form_is_left_to_the_caller(string? field)
    {
        var errors = new FieldErrors();

        Assert.False(errors.Set(field, "no", "email"));
        Assert.False(errors.Any);
    }

    [Fact]
    public void Without_a_list_of_fields_any_named_field_is_kept() =>
        Assert.True(new FieldErrors().Set("title", "required"));

    [Fact]
    public void Clearing_one_field_leaves_the_others_and_clearing_all_empties_it()
    {
        var errors = new FieldErrors();
        errors.Set("title", "required");
        errors.Set("tags", "too many");

        errors.Clear("title");
        Assert.False(errors.Has("title"));
        Assert.True(errors.Has("tags"));

        errors.Clear();
        Assert.False(errors.Any);
    }
}
