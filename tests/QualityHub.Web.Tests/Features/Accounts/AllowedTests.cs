using Bunit;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Tests.Features.Accounts;

/// <summary>Role-gated actions: present for the roles a policy admits, absent from the markup for everyone else.</summary>
public sealed class AllowedTests : ComponentTests
{
    private IRenderedComponent<Allowed> RenderAction(string policy, string? action = "approve-release") =>
        Render<Allowed>(p => p.Add(c => c.Policy, policy).Add(c => c.Action, action).AddChildContent("<button>Approve</button>"));

    [Theory]
    [InlineData(Policies.Approve, QualityHubRoles.QualityManager)]
    [InlineData(Policies.Approve, QualityHubRoles.Admin)]
    [InlineData(Policies.Model, QualityHubRoles.Modeler)]
    [InlineData(Policies.Plan, QualityHubRoles.Planner)]
    [InlineData(Policies.Read, QualityHubRoles.Viewer)]
    public void A_role_the_policy_admits_gets_the_action(string policy, string role)
    {
        SignInAs(role);

        var cut = RenderAction(policy);

        Assert.Equal("approve-release", cut.Find("div.qh-action").GetAttribute("data-action"));
        Assert.Equal("Approve", cut.Find("div.qh-action > button").TextContent);
    }

    [Theory]
    [InlineData(Policies.Approve, QualityHubRoles.Modeler)]
    [InlineData(Policies.Approve, QualityHubRoles.Viewer)]
    [InlineData(Policies.Model, QualityHubRoles.Planner)]
    [InlineData(Policies.Plan, QualityHubRoles.QualityManager)]
    [InlineData(Policies.Administer, QualityHubRoles.QualityManager)]
    public void A_role_the_policy_does_not_admit_finds_no_trace_of_it(string policy, string role)
    {
        SignInAs(role);

        var cut = RenderAction(policy);

        Assert.Equal("", cut.Markup.Trim());
    }

    [Fact]
    public void A_visitor_who_is_not_signed_in_sees_not_even_what_every_role_may_read()
    {
        var cut = RenderAction(Policies.Read);

        Assert.Empty(cut.FindAll("button"));
    }

    [Fact]
    public void Without_an_action_name_the_content_stands_alone()
    {
        SignInAs(QualityHubRoles.Admin);

        var cut = RenderAction(Policies.Administer, action: null);

        Assert.Empty(cut.FindAll(".qh-action"));
        cut.MarkupMatches("<button>Approve</button>");
    }
}
