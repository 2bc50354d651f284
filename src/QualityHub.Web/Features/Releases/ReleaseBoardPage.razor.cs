using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Core.Requirements;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Releases;

/// <summary>The release board: per module, production and every candidate side by side, with what stops each from shipping.</summary>
public sealed partial class ReleaseBoardPage
{
    private ReleaseBoardView? board;
    private bool interactive;

    [Inject]
    private ReleaseBoard Board { get; set; } = default!;

    protected override async Task OnInitializedAsync() => board = await Board.GetAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    // The module's headline as its runs name it (one rule: TaskTypes.HeadlineName), capitalised for a column.
    private static string HeadlineName(BoardModule module)
    {
        var name = TaskTypes.HeadlineName(module.TaskType);
        return $"{char.ToUpperInvariant(name[0])}{name[1..]}";
    }

    private static RenderFragment Headline(BoardHeadline? headline, int? runId) => builder =>
    {
        if (headline is null || runId is null)
        {
            builder.AddMarkupContent(0, "<span class=\"qh-muted\">not measured</span>");
            return;
        }

        builder.OpenElement(1, "a");
        builder.AddAttribute(2, "href", $"evaluations/{runId}");
        builder.AddContent(3, Formats.Share(headline.Value));
        builder.CloseElement();
        builder.OpenElement(4, "small");
        builder.AddAttribute(5, "class", "qh-muted");
        builder.AddContent(6, $" [{Formats.Percent(headline.Low)}, {Formats.Percent(headline.High)}]");
        builder.CloseElement();
    };

    private static string Time(BoardProcessingTime? time) => time is null
        ? "not measured"
        : $"{Formats.Ms(time.P50)} / {Formats.Ms(time.P95)} (p95 CI {Formats.Ms(time.P95Low)}–{Formats.Ms(time.P95High)})";

    private static string Throughput(double? itemsPerSecond) => itemsPerSecond is { } rate ? $"{Formats.Rate(rate)}/s" : "—";

    private static string PValue(double? p) => p switch
    {
        null => "—",
        < 0.0001 => "< 0.0001",
        { } value => value.ToString("0.####", CultureInfo.InvariantCulture),
    };

    private static Color CheckColor(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => Color.Success,
        CheckOutcome.Fail => Color.Error,
        _ => Color.Warning,
    };
}
