using System.Text.RegularExpressions;

namespace QualityHub.Web.Tests.Support;

/// <summary>Posting a page's form as a browser does: with the antiforgery token the page rendered.</summary>
public static partial class PageForms
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    /// <summary>Reads <paramref name="page"/> for its token, then posts <paramref name="fields"/> to <paramref name="action"/>.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string page, string action, Dictionary<string, string> fields)
    {
        var html = await browser.GetStringAsync(page);
        fields["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value;
        return await browser.PostAsync(action, new FormUrlEncodedContent(fields));
    }
}
