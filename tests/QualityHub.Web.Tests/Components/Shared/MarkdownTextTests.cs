using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Tests.Components.Shared;

public class MarkdownTextTests
{
    [Fact]
    public void Headings_lists_and_tables_become_HTML()
    {
        var html = MarkdownText.ToHtml("# Release 2026.11\n\n- mlp: **89.5 %**\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n");

        Assert.Contains("<h1", html);
        Assert.Contains("<li>mlp: <strong>89.5 %</strong></li>", html);
        Assert.Contains("<td>1</td>", html);
    }

    [Fact]
    public void Headings_go_down_by_the_offset_and_no_further_than_h6()
    {
        var html = MarkdownText.ToHtml("# Guide\n\n## Labels\n\n##### Fine print\n", headingOffset: 2);

        Assert.Contains("<h3>Guide</h3>", html);
        Assert.Contains("<h4>Labels</h4>", html);
        Assert.Contains("<h6>Fine print</h6>", html);
        Assert.DoesNotContain("<h1", html);
    }

    [Fact]
    public void Raw_HTML_and_script_in_the_text_are_shown_as_text_not_run()
    {
        var html = MarkdownText.ToHtml("Waived: <script>alert(1)</script> and <img src=x onerror=alert(2)>");

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public void Links_keep_web_addresses_and_lose_javascript()
    {
        var html = MarkdownText.ToHtml("[run](https://example.test/runs/3) and [evil](javascript:alert(1))");

        Assert.Contains("href=\"https://example.test/runs/3\"", html);
        Assert.DoesNotContain("javascript:", html);
    }

    [Fact]
    public void Blank_text_renders_nothing()
    {
        Assert.Equal("", MarkdownText.ToHtml(null));
        Assert.Equal("", MarkdownText.ToHtml("  \n "));
    }
}
