using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace QualityHub.Web.Components.Shared;

/// <summary>
/// Markdown that people write (notes, release notes, training records) as safe HTML: raw HTML in the text is shown
/// as text, not run (Markdig's DisableHtml), and what Markdig makes is sanitised once more (links to javascript:,
/// event attributes), so a note can never carry script into someone else's page.
/// </summary>
public static class MarkdownText
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    /// <summary>The HTML for <paramref name="markdown"/>, sanitised; empty for null or blank text.</summary>
    public static string ToHtml(string? markdown) =>
        string.IsNullOrWhiteSpace(markdown) ? "" : Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));

    /// <summary>The same, ready for a Razor page.</summary>
    public static MarkupString ToMarkup(string? markdown) => new(ToHtml(markdown));

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        return sanitizer;
    }
}
