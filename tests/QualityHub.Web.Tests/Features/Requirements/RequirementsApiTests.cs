using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Requirements;

/// <summary>Requirements per module (versions, refusals, races), the scorecard over the demo's measured candidates, and /api/capacity.</summary>
public sealed class RequirementsApiTests(EvaluatedDemoQualityHubFactory factory) : EvaluatedDemoTests(factory)
{
    private async Task<int> ModuleIdAsync(string name) =>
        (await Client.GetFromJsonAsync<JsonElement>("/api/modules")).EnumerateArray().Single(m => m.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    private async Task<int> DatasetIdAsync(string name) =>
        (await Client.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray().Single(d => d.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    private async Task<List<JsonElement>> HistoryAsync(int moduleId) =>
        (await Client.GetFromJsonAsync<JsonElement>($"/api/modules/{moduleId}/requirements")).EnumerateArray().ToList();

    [Theory]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=7", 1)]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=6", 1)]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=5", 2)]
    public async Task Capacity_gives_the_issues_example_exactly(string query, int instances)
    {
        var answer = await Client.GetFromJsonAsync<JsonElement>($"/api/capacity?{query}");

        Assert.Equal(instances, answer.GetProperty("instancesPerDevice").GetInt32());
    }

    [Fact]
    public async Task Capacity_gives_devices_and_cost_for_a_target()
    {
        var answer = await Client.GetFromJsonAsync<JsonElement>("/api/capacity?deviceMemoryGb=10&modelMemoryGb=5&qpsPerInstance=120&targetQps=1000&costPerDeviceMonth=1500");

        Assert.Equal(240, answer.GetProperty("qpsPerDevice").GetDouble());
        Assert.Equal(5, answer.GetProperty("devicesNeeded").GetInt32());
        Assert.Equal(7500, answer.GetProperty("monthlyCost").GetDecimal());
    }

    [Theory]
    [InlineData("modelMemoryGb=5", "deviceMemoryGb")]
    [InlineData("deviceMemoryGb=ten&modelMemoryGb=5", "deviceMemoryGb")]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=-5", "modelMemoryGb")]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=0", "modelMemoryGb")]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=5&qpsPerInstance=-1", "qpsPerInstance")]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=5&targetQps=NaN", "targetQps")]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=5&costPerDeviceMonth=-3", "costPerDeviceMonth")]
    [InlineData("deviceMemoryGb=10&deviceMemoryGb=20&modelMemoryGb=5", "deviceMemoryGb")]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=5&budgetPerMonth=-1", "budgetPerMonth")]
    [InlineData("deviceMemoryGb=10&modelMemoryGb=5&deviceQpsCeiling=0", "deviceQpsCeiling")]
    [InlineData("modelVersionId=0", "modelVersionId")]
    [InlineData("modelVersionId=1.5", "modelVersionId")]
    public async Task Capacity_refuses_bad_numbers_naming_the_parameter(string query, string parameter)
    {
        var response = await Client.GetAsync($"/api/capacity?{query}");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_planners_comparison_rule_scores_the_next_run_raw_and_under_the_rule()
    {
        var cards = await ModuleIdAsync(DemoContentLoader.CardTextModule);
        var fashion = await ModuleIdAsync(DemoContentLoader.FashionModule);
        Assert.Equal("exact", (await Client.GetFromJsonAsync<JsonElement>($"/api/modules/{cards}/text-comparison")).GetProperty("description").GetString());
        Assert.Equal((HttpStatusCode)422, (await Client.PutAsJsonAsync($"/api/modules/{fashion}/text-comparison", new { ignoreCase = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PutAsJsonAsync("/api/modules/999999/text-comparison", new { ignoreCase = true })).StatusCode);

        var set = await Client.PutAsJsonAsync($"/api/modules/{cards}/text-comparison", new { ignoreCase = true, ignoreSpaces = true, ignoreSeparators = true });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("ignoring case, spaces and separators (- / . _)", (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("description").GetString());
        try
        {
            var version = (await Client.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray().Single(m => m.GetProperty("name").GetString() == "pp-ocrv4-rec").GetProperty("id").GetInt32();
            var started = await Client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = version, datasetId = await DatasetIdAsync("card-text-test") });
            var run = await EvaluationRuns.WaitAsync(Client, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
            Assert.Equal("completed", run.GetProperty("status").GetString()!.ToLowerInvariant());

            var metrics = run.GetProperty("metrics");
            var underRule = metrics.GetProperty("underRule");
            Assert.Equal("ignoring case, spaces and separators (- / . _)", underRule.GetProperty("description").GetString());
            // Ignoring more can only make more outputs equal to their truth, and never adds an edit.
            Assert.True(underRule.GetProperty("exactMatch").GetProperty("value").GetDouble() >= metrics.GetProperty("exactMatch").GetDouble());
            Assert.True(underRule.GetProperty("meanEditDistance").GetDouble() <= metrics.GetProperty("detail").GetProperty("text").GetProperty("meanEditDistance").GetDouble());
        }
        finally
        {
            await Client.PutAsJsonAsync($"/api/modules/{cards}/text-comparison", new { });
        }
    }

    [Fact]
    public async Task Capacity_of_an_unknown_version_is_not_found()
    {
        var response = await Client.GetAsync("/api/capacity?modelVersionId=999999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Capacity_starts_from_what_a_versions_run_measured_and_names_every_what_if()
    {
        var models = (await Client.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray().ToList();
        var cnn = models.Single(m => m.GetProperty("name").GetString() == "fashion-cnn-v1").GetProperty("id").GetInt32();

        var plan = await Client.GetFromJsonAsync<JsonElement>($"/api/capacity?modelVersionId={cnn}");

        // The measuring run's own figures: a session's memory (not the file size), one input at a time, the device.
        var start = plan.GetProperty("start");
        var runId = start.GetProperty("runId").GetInt32();
        var metrics = await Client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}");
        var measured = metrics.GetProperty("metrics");
        var memory = measured.GetProperty("memory");
        Assert.InRange(memory.GetProperty("bytes").GetInt64(), 1, 512L << 20); // a 0.9 MiB model's session: more than nothing, far less than a GPU
        Assert.InRange(memory.GetProperty("lowBytes").GetInt64(), 0, memory.GetProperty("bytes").GetInt64());
        Assert.Equal(3, memory.GetProperty("loads").GetInt32());
        Assert.Equal(memory.GetProperty("bytes").GetInt64() / (1024d * 1024 * 1024), plan.GetProperty("modelMemoryGb").GetDouble(), 12);
        Assert.Equal(1000 / measured.GetProperty("processingTime").GetProperty("p50").GetDouble(), plan.GetProperty("qpsPerInstance").GetDouble(), 6);
        Assert.Equal(memory.GetProperty("deviceBytes").GetInt64() / (1024d * 1024 * 1024), plan.GetProperty("deviceMemoryGb").GetDouble(), 9);
        Assert.True(plan.GetProperty("deviceQpsCeiling").GetDouble() >= plan.GetProperty("qpsPerInstance").GetDouble());
        Assert.Empty(plan.GetProperty("whatIfs").EnumerateArray());

        // Nothing absurd: however many instances fit, a device serves at most what it was measured to compute.
        var perDevice = plan.GetProperty("qpsPerDevice").GetDouble();
        Assert.True(perDevice <= plan.GetProperty("deviceQpsCeiling").GetDouble() + 1e-6, $"{perDevice} QPS per device");
        Assert.True(plan.GetProperty("usefulInstances").GetInt32() <= plan.GetProperty("instancesPerDevice").GetInt32());

        // What the question changes beyond the measurement is said to be a what-if.
        var whatIf = await Client.GetFromJsonAsync<JsonElement>($"/api/capacity?modelVersionId={cnn}&deviceMemoryGb=80&modelMemoryGb=2&targetQps=500&costPerDeviceMonth=900&budgetPerMonth=1000");
        var notes = whatIf.GetProperty("whatIfs").EnumerateArray().Select(n => n.GetString()!).ToList();
        Assert.Contains(notes, n => n.StartsWith("Model memory 2 GB is a what-if", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("The 80 GB device was not measured", StringComparison.Ordinal));
        Assert.Equal(40, whatIf.GetProperty("instancesPerDevice").GetInt32());
        Assert.Equal((1, 900m, true), (whatIf.GetProperty("devicesNeeded").GetInt32(), whatIf.GetProperty("monthlyCost").GetDecimal(), whatIf.GetProperty("withinBudget").GetBoolean()));
    }

    [Fact]
    public async Task Versions_are_appended_never_rewritten_and_refusals_change_nothing()
    {
        var module = await ModuleIdAsync(DemoContentLoader.CardTextModule);
        var dataset = await DatasetIdAsync("card-text-test");

        var first = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new
        {
            offlineP95Ms = 50,
            accuracyMetric = "exactMatch",
            accuracyThreshold = 0.8,
            accuracyDatasetId = dataset,
            servingTarget = "cloud-cpu",
            rationale = "Card numbers are typed by hand when recognition fails.",
        });
        var second = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new
        {
            offlineP95Ms = 40,
            accuracyMetric = "characterErrorRate",
            accuracyThreshold = 0.05,
            accuracyDatasetId = dataset,
            rationale = "Tighter after VOC.",
            basedOnVersion = 1,
        });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(2, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());

        var stale = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new { offlineP95Ms = 30, rationale = "based on an old version", basedOnVersion = 1 });
        var negative = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new { offlineP95Ms = -5, targetQps = -1, rationale = "x", basedOnVersion = 2 });
        var wrongTask = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new { accuracyMetric = "accuracy", accuracyThreshold = 0.9, accuracyDatasetId = dataset, rationale = "x", basedOnVersion = 2 });
        var badServing = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new { offlineP95Ms = 5, servingTarget = "toaster", rationale = "x", basedOnVersion = 2 });
        var unknownDataset = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new { accuracyMetric = "exactMatch", accuracyThreshold = 0.9, accuracyDatasetId = 99999, rationale = "x", basedOnVersion = 2 });
        var unknownModule = await Client.PostAsJsonAsync("/api/modules/99999/requirements", new { offlineP95Ms = 5, rationale = "x" });
        var malformed = await Client.PostAsync($"/api/modules/{module}/requirements", new StringContent("{\"offlineP95Ms\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Version 2", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal((HttpStatusCode)422, negative.StatusCode);
        var errors = (await negative.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("offlineP95Ms", out _));
        Assert.True(errors.TryGetProperty("targetQps", out _));
        Assert.Equal((HttpStatusCode)422, wrongTask.StatusCode);
        Assert.Equal((HttpStatusCode)422, badServing.StatusCode);
        Assert.True((await badServing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("servingTarget", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknownDataset.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownModule.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var history = await HistoryAsync(module);
        Assert.Equal([2, 1], history.Select(r => r.GetProperty("version").GetInt32()));
        Assert.Equal(50, history[1].GetProperty("offlineP95Ms").GetDouble());
        Assert.Equal("CloudCpu", history[1].GetProperty("servingTarget").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/modules/99999/requirements")).StatusCode);
    }

    [Fact]
    public async Task Two_planners_saving_on_the_same_version_at_once_get_one_version_and_one_refusal()
    {
        var module = await ModuleIdAsync(DemoContentLoader.FashionModule);
        var current = (await HistoryAsync(module)).Select(r => r.GetProperty("version").GetInt32()).DefaultIfEmpty(0).Max();
        object Body(int qps) => current == 0
            ? new { targetQps = qps, rationale = $"race {qps}" }
            : new { targetQps = qps, rationale = $"race {qps}", basedOnVersion = current };

        var responses = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => Client.PostAsJsonAsync($"/api/modules/{module}/requirements", Body(100 * i))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(current + 1, (await HistoryAsync(module)).Max(r => r.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task The_scorecard_checks_every_candidate_against_the_requirement_with_the_measured_run()
    {
        var module = await ModuleIdAsync(DemoContentLoader.FashionModule);
        var dataset = await DatasetIdAsync("fashion-mnist-test-2000");
        var current = (await HistoryAsync(module)).Select(r => r.GetProperty("version").GetInt32()).DefaultIfEmpty(0).Max();
        var created = await Client.PostAsJsonAsync($"/api/modules/{module}/requirements", new
        {
            offlineP95Ms = 1000,
            onlineP95Ms = 10_000,
            accuracyMetric = "accuracy",
            accuracyThreshold = 0.9,
            accuracyDatasetId = dataset,
            targetQps = 100,
            rationale = "Shop search must not mislabel more than one in ten.",
            basedOnVersion = current == 0 ? (int?)null : current,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var card = await Client.GetFromJsonAsync<JsonElement>($"/api/modules/{module}/scorecard");
        var candidates = card.GetProperty("candidates").EnumerateArray().ToDictionary(c => c.GetProperty("version").GetString()!);

        JsonElement Check(string version, string requirement) =>
            candidates[version].GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("requirement").GetString() == requirement);
        // The retired linear classifier is not a candidate; the MLP (89.50 %) misses 90 %, the CNN (91.25 %) meets it.
        Assert.False(candidates.ContainsKey("fashion-linear-v1"));
        Assert.Equal("Fail", Check("fashion-mlp-v1", "Accuracy").GetProperty("outcome").GetString());
        Assert.Equal("Pass", Check("fashion-cnn-v1", "Accuracy").GetProperty("outcome").GetString());
        var cnnRun = Runs.Single(r => r.GetProperty("version").GetString() == "fashion-cnn-v1");
        Assert.Equal(cnnRun.GetProperty("id").GetInt32(), Check("fashion-cnn-v1", "Accuracy").GetProperty("runId").GetInt32());
        Assert.Equal(TorchReference.Of("fashion-cnn-v1").Correct / 2000.0, Check("fashion-cnn-v1", "Accuracy").GetProperty("value").GetDouble(), 12);
        Assert.True(Check("fashion-cnn-v1", "Accuracy").GetProperty("low").GetDouble() < Check("fashion-cnn-v1", "Accuracy").GetProperty("value").GetDouble());
        Assert.Equal("Pass", Check("fashion-cnn-v1", "Processing time p95").GetProperty("outcome").GetString());
        Assert.Equal("Pass", Check("fashion-cnn-v1", "Target QPS").GetProperty("outcome").GetString());
        Assert.Equal("Pass", Check("fashion-cnn-v1", "Open blocker tickets").GetProperty("outcome").GetString());
        // Online latency comes from the (demo) events of the release that ships the MLP; the CNN has never served.
        Assert.Equal("Pass", Check("fashion-mlp-v1", "Online p95").GetProperty("outcome").GetString());
        Assert.InRange(Check("fashion-mlp-v1", "Online p95").GetProperty("value").GetDouble(), 0.01, 10_000);
        Assert.Equal("NotMeasured", Check("fashion-cnn-v1", "Online p95").GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/modules/99999/scorecard")).StatusCode);
    }
}
