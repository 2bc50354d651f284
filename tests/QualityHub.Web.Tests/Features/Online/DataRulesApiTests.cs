using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>A module's data rules: set and refused through the API, checked on every event ingested, counted, listed and alerted on in GET /api/online/drift.</summary>
public sealed class DataRulesApiTests(OnlineFactory factory) : IClassFixture<OnlineFactory>
{
    private readonly HttpClient client = factory.CreateClient();
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> BadRules => new()
    {
        { """{"ranges":{"brightness":{"min":0.9,"max":0.1}}}""", "ranges" },
        { """{"ranges":{"label":{"min":0,"max":1}}}""", "ranges" },
        { """{"maxMissingShare":{"blur":2}}""", "maxMissingShare" },
        { """{"alertShare":1.5}""", "alertShare" },
        { """{"labels":["a","a"]}""", "labels" },
        { """{"labels":["0","1"]}""", "labels" }, // the module recognises text: a label set applies to classifiers
        { """{"ranges":{"brightness":{"min":"dark","max":1}}}""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task Rules_that_make_no_sense_are_refused_naming_the_field_and_the_stored_rules_stay(string body, string field)
    {
        var id = factory.ModuleIds[OnlineFactory.AlertLatency];
        var before = await (await client.GetAsync($"/api/modules/{id}/data-rules")).Content.ReadAsStringAsync();

        var response = await client.PutAsync($"/api/modules/{id}/data-rules", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        if (field != "body")
        {
            Assert.Equal(field, (await JsonAsync(response)).GetProperty("field").GetString());
        }

        Assert.Equal(before, await (await client.GetAsync($"/api/modules/{id}/data-rules")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rules_are_stored_and_read_back_and_an_unknown_module_is_not_found()
    {
        var id = factory.ModuleIds[OnlineFactory.AlertSuperseded];
        var none = await JsonAsync(await client.GetAsync($"/api/modules/{id}/data-rules"));
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (none.GetProperty("ranges").ValueKind, none.GetProperty("labels").ValueKind));

        var set = await client.PutAsJsonAsync($"/api/modules/{id}/data-rules", new { ranges = new { blur = new { min = 0.01, max = 2.0 } }, maxMissingShare = new { blur = 0.1 }, alertShare = 0.02 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var stored = await JsonAsync(await client.GetAsync($"/api/modules/{id}/data-rules"));
        Assert.Equal(2.0, stored.GetProperty("ranges").GetProperty("blur").GetProperty("max").GetDouble());
        Assert.Equal(0.1, stored.GetProperty("maxMissingShare").GetProperty("blur").GetDouble());
        Assert.Equal(0.02, stored.GetProperty("alertShare").GetDouble());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/modules/987654/data-rules")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/api/modules/987654/data-rules", new { alertShare = 0.1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/modules/{id}/data-rules/suggested")).StatusCode); // no test set
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/datasets/987654/validation")).StatusCode);
    }

    [Fact]
    public async Task Events_are_checked_from_the_moment_rules_are_set_and_broken_rules_are_counted_with_examples_and_alert()
    {
        var id = factory.ModuleIds[OnlineFactory.AlertRate];
        object Described(string eventId, int i, double? brightness, double? blur) => new
        {
            eventId,
            release = OnlineFactory.First,
            module = OnlineFactory.AlertRate,
            timestamp = Day.AddSeconds(i * 30),
            latencyMs = 10,
            predicted = "1234",
            corrected = false,
            brightness,
            blur,
        };

        // 50 events before any rule: never checked, whatever they hold.
        var early = Enumerable.Range(0, 50).Select(i => Described($"before-rules-{i}", i, 0.99, null)).ToList();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, early)).StatusCode);

        var rules = await client.PutAsJsonAsync($"/api/modules/{id}/data-rules",
            new { ranges = new { brightness = new { min = 0.2, max = 0.8 } }, maxMissingShare = new { blur = 0.05 }, alertShare = 0.05 });
        Assert.Equal(HttpStatusCode.OK, rules.StatusCode);

        // 300 events: every tenth too bright (10 %), every fifteenth without its blur (6.7 %); both above their 5 %.
        var events = Enumerable.Range(50, 300).Select(i => Described($"ruled-{i}", i, i % 10 == 0 ? 0.95 : 0.5, i % 15 == 0 ? null : 0.3)).ToList();
        Assert.Equal(300, (await JsonAsync(await PostAsync(client, events))).GetProperty("accepted").GetInt32());
        Assert.Equal(0, (await JsonAsync(await PostAsync(client, events))).GetProperty("accepted").GetInt32()); // sent twice, checked once

        var report = await JsonAsync(await client.GetAsync($"/api/online/drift?module={OnlineFactory.AlertRate}&step=day"));
        JsonElement Violation(string key) => report.GetProperty("violations").EnumerateArray().Single(v => v.GetProperty("key").GetString() == key);
        var bright = Violation("range:brightness:0.2:0.8");
        Assert.Equal((300, 30, "alert", true), (bright.GetProperty("checked").GetInt64(), bright.GetProperty("violations").GetInt64(), bright.GetProperty("status").GetString(), bright.GetProperty("current").GetBoolean()));
        Assert.Equal(0.1, bright.GetProperty("share").GetDouble(), 12);
        var examples = bright.GetProperty("examples").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.InRange(examples.Count, 1, 5);
        Assert.All(examples, e => Assert.True(int.Parse(e["ruled-".Length..], System.Globalization.CultureInfo.InvariantCulture) % 10 == 0, e));
        var blur = Violation("missing:blur");
        Assert.Equal((300, 20, "alert"), (blur.GetProperty("checked").GetInt64(), blur.GetProperty("violations").GetInt64(), blur.GetProperty("status").GetString()));
        Assert.All(blur.GetProperty("examples").EnumerateArray(), e => Assert.True(int.Parse(e.GetString()!["ruled-".Length..], System.Globalization.CultureInfo.InvariantCulture) % 15 == 0));
        var alerted = report.GetProperty("alerts").EnumerateArray().SelectMany(a => a.GetProperty("measures").EnumerateArray().Select(m => m.GetString())).ToList();
        Assert.Contains("rule:range:brightness:0.2:0.8", alerted);
        Assert.Contains("rule:missing:blur", alerted);

        // Widened rule: the old counts stay listed under the old rule, never alerting; the new one has checked nothing yet.
        await client.PutAsJsonAsync($"/api/modules/{id}/data-rules", new { ranges = new { brightness = new { min = 0.2, max = 0.99 } }, maxMissingShare = new { blur = 0.05 }, alertShare = 0.05 });
        var after = await JsonAsync(await client.GetAsync($"/api/online/drift?module={OnlineFactory.AlertRate}&step=day"));
        var old = after.GetProperty("violations").EnumerateArray().Single(v => v.GetProperty("key").GetString() == "range:brightness:0.2:0.8");
        Assert.Equal((false, "ok", 30), (old.GetProperty("current").GetBoolean(), old.GetProperty("status").GetString(), old.GetProperty("violations").GetInt64()));
        var widened = after.GetProperty("violations").EnumerateArray().Single(v => v.GetProperty("key").GetString() == "range:brightness:0.2:0.99");
        Assert.Equal((0, 0, "too-few-events"), (widened.GetProperty("checked").GetInt64(), widened.GetProperty("violations").GetInt64(), widened.GetProperty("status").GetString()));
        Assert.DoesNotContain(after.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("measures")[0].GetString()!.StartsWith("rule:range:", StringComparison.Ordinal));
    }
}
