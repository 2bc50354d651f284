using Ganss.Xss;
using Markdig;
using Markdig.Syntax;
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

    /// <summary>
    /// The HTML for <paramref name="markdown"/>, sanitised; empty for null or blank text. Its headings go
    /// <paramref name="headingOffset"/> levels down (at most h6), for text shown under a page's own headings: a "# Title"
    /// in it must not become a second h1 of the page.
    /// </summary>
    public static string ToHtml(string? markdown, int headingOffset = 0)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }

        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Clamp(heading.Level + headingOffset, 1, 6);
        }

        return Sanitizer.Sanitize(document.ToHtml(Pipeline));
    }

    /// <summary>The same, ready for a Razor page.</summary>
    public static MarkupString ToMarkup(string? markdown, int headingOffset = 0) => new(ToHtml(markdown, headingOffset));

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
