using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using QualityHub.Web.Features.Compare;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>Keeping a compared input in a collection: what is sent, the outcome as a snackbar, refusals on their fields.</summary>
public sealed class CollectionFormTests : ComponentTests
{
    private readonly List<CollectionRequest> requests = [];

    private IRenderedComponent<CollectionForm> RenderForm(Func<CollectionRequest, string?> add, IReadOnlyList<string>? labels = null, string? truth = "Shirt", IReadOnlyList<string>? names = null)
    {
        Render<MudPopoverProvider>();
        return Render<CollectionForm>(p => p
            .Add(c => c.Labels, labels ?? [])
            .Add(c => c.Names, names ?? [])
            .Add(c => c.DefaultTruth, truth)
            .Add(c => c.OnAdd, request =>
            {
                requests.Add(request);
                return Task.FromResult(add(request));
            }));
    }

    private IEnumerable<Snackbar> Snackbars => Services.GetRequiredService<ISnackbar>().ShownSnackbars;

    private static void TypeName(IRenderedComponent<CollectionForm> form, string name) =>
        form.Find("[data-collection-name] input, input[data-collection-name]").Input(name);

    // The whole field as shown: its input and the helper line under it, where MudBlazor writes the error.
    private static string FieldText(IRenderedComponent<CollectionForm> form, string field)
    {
        var marked = form.Find($"[data-{field}]");
        return (marked.Closest(".mud-input-control") ?? marked).TextContent;
    }

    [Fact]
    public void Add_waits_for_a_name_then_sends_name_and_truth_and_the_outcome_shows_as_a_snackbar()
    {
        var form = RenderForm(_ => "Created collection 'hard-cases' with this input.");
        Assert.True(form.Find("[data-add-to-collection]").HasAttribute("disabled"));

        TypeName(form, "hard-cases");
        form.Find("[data-add-to-collection]").Click();

        Assert.Equal([new CollectionRequest("hard-cases", "Shirt")], requests);
        var shown = Assert.Single(Snackbars);
        Assert.Equal("Created collection 'hard-cases' with this input.", shown.Message);
        Assert.Equal(Severity.Success, shown.Severity);
    }

    [Fact]
    public void A_refusal_of_the_name_shows_on_the_name_field_and_goes_when_the_next_add_succeeds()
    {
        const string refusal = "'fashion-mnist-test-2000' is already the name of a dataset that is not a collection of fashion; choose another name.";
        var refuse = true;
        var form = RenderForm(_ => refuse ? throw new CompareException(refusal, field: SampleCollections.CollectionField) : "Added to 'mine' (2 samples).");

        TypeName(form, "fashion-mnist-test-2000");
        form.Find("[data-add-to-collection]").Click();

        Assert.Contains(refusal, FieldText(form, "collection-name"));
        Assert.DoesNotContain(refusal, FieldText(form, "collection-truth"));
        Assert.Empty(Snackbars);

        refuse = false;
        TypeName(form, "mine");
        form.Find("[data-add-to-collection]").Click();

        Assert.DoesNotContain(refusal, form.Markup);
        Assert.Equal("Added to 'mine' (2 samples).", Assert.Single(Snackbars).Message);
    }

    [Fact]
    public void A_refusal_of_the_ground_truth_shows_on_the_truth_field()
    {
        const string refusal = "'Shirt' is not one of the collection's labels (0, 1).";
        var form = RenderForm(_ => throw new CompareException(refusal, field: SampleCollections.TruthField));

        TypeName(form, "digits");
        form.Find("[data-add-to-collection]").Click();

        Assert.Contains(refusal, FieldText(form, "collection-truth"));
        Assert.DoesNotContain(refusal, FieldText(form, "collection-name"));
    }

    [Fact]
    public void A_refusal_about_no_field_goes_to_a_snackbar_as_an_error()
    {
        var form = RenderForm(_ => throw new CompareException("There is no module 9."));

        TypeName(form, "hard-cases");
        form.Find("[data-add-to-collection]").Click();

        var shown = Assert.Single(Snackbars);
        Assert.Equal("There is no module 9.", shown.Message);
        Assert.Equal(Severity.Error, shown.Severity);
    }

    [Fact]
    public void A_new_input_offers_its_own_truth_and_an_existing_collection_is_picked_by_a_click()
    {
        var form = RenderForm(_ => "ok", names: ["hard-cases", "shadows"]);

        form.Render(p => p.Add(c => c.DefaultTruth, "Coat"));
        form.FindAll(".qh-collection-names .mud-chip").Single(c => c.TextContent.Contains("shadows", StringComparison.Ordinal)).Click();
        form.Find("[data-add-to-collection]").Click();

        Assert.Equal([new CollectionRequest("shadows", "Coat")], requests);
    }

    [Fact]
    public void With_labels_the_truth_is_one_of_them()
    {
        var form = RenderForm(_ => "ok", labels: ["Coat", "Shirt"]);

        var select = form.FindComponent<MudSelect<string>>();
        Assert.Equal("Shirt", select.Instance.GetState(x => x.Value));
        Assert.Equal("Ground truth", select.Instance.Label);
    }
}
