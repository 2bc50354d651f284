using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests;

public class EditDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)] // k→s, e→i, +g
    [InlineData("flaw", "lawn", 2)] // -f, +n
    [InlineData("4111 1111", "4111 1111", 0)]
    [InlineData("12/27", "12/21", 1)]
    [InlineData("intention", "execution", 5)]
    public void Levenshtein_counts_insertions_deletions_and_substitutions(string source, string target, int expected)
    {
        Assert.Equal(expected, EditDistance.Levenshtein(source, target));
        Assert.Equal(expected, EditDistance.Levenshtein(target, source));
    }

    [Fact]
    public void Levenshtein_handles_strings_longer_than_the_stack_buffer()
    {
        var a = new string('a', 600);
        var b = new string('a', 300) + new string('b', 300);
        Assert.Equal(300, EditDistance.Levenshtein(a, b));
    }

    [Theory]
    [InlineData("", "", 0.0)]
    [InlineData("abcd", "abcd", 0.0)]
    [InlineData("abcd", "wxyz", 1.0)]
    [InlineData("kitten", "sitting", 3.0 / 7.0)]
    public void Normalized_divides_by_the_longer_length(string source, string target, double expected) =>
        Assert.Equal(expected, EditDistance.Normalized(source, target), precision: 12);
}
