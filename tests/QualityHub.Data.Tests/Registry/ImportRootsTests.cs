using QualityHub.Data.Registry;

namespace QualityHub.Data.Tests.Registry;

/// <summary>
/// Which server paths a request may import from: regular files (or folders) inside a configured root once every link is
/// followed; anything else is refused, outside the roots alike whether or not it exists.
/// </summary>
public sealed class ImportRootsTests : IDisposable
{
    private readonly TempFolder root = new("qualityhub-root-");
    private readonly TempFolder outside = new("qualityhub-outside-");

    public void Dispose()
    {
        root.Dispose();
        outside.Dispose();
    }

    private ImportRoots Roots => new([root.Path]);

    [Fact]
    public void No_roots_means_importing_from_server_paths_is_off()
    {
        Assert.False(new ImportRoots([]).Any);
        Assert.False(new ImportRoots(["", "relative/folder"]).Any);
        Assert.True(Roots.Any);
    }

    [Fact]
    public void A_regular_file_inside_a_root_resolves_to_its_real_path_named_by_field_and_relative_path()
    {
        Directory.CreateDirectory(root.File("sets"));
        File.WriteAllText(root.File("sets/labels.jsonl"), "");
        File.CreateSymbolicLink(root.File("alias.jsonl"), root.File("sets/labels.jsonl"));

        var direct = Roots.Resolve("jsonl", root.File("sets/labels.jsonl"));
        var throughLink = Roots.Resolve("jsonl", root.File("alias.jsonl"));
        var folder = Roots.Resolve("folder", root.File("sets"), folder: true);

        Assert.Equal(new ImportFile(root.File("sets/labels.jsonl"), "jsonl (sets/labels.jsonl)"), direct);
        Assert.Equal(direct, throughLink);
        Assert.Equal(new ImportFile(root.File("sets"), "folder (sets)"), folder);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/etc/shadow")]
    [InlineData("/etc/no-such-file-anywhere")]
    [InlineData("/")]
    public void A_path_outside_the_roots_is_forbidden_the_same_way_whether_or_not_it_exists(string path)
    {
        var e = Assert.Throws<ServerPathException>(() => Roots.Resolve("images", path));

        Assert.True(e.Forbidden);
        Assert.Equal("images", e.Field);
        Assert.Equal("'images' is not inside a folder this server imports from; an administrator lists those in Registry:ImportRoots.", e.Message);
    }

    [Fact]
    public void Dot_dot_links_out_and_links_to_missing_files_outside_are_forbidden()
    {
        File.WriteAllText(outside.File("labels.jsonl"), "{}");
        File.CreateSymbolicLink(root.File("passwd.jsonl"), "/etc/passwd");
        File.CreateSymbolicLink(root.File("gone.jsonl"), outside.File("gone.jsonl"));
        Directory.CreateSymbolicLink(root.File("etc"), "/etc");
        Directory.CreateSymbolicLink(root.File("up"), "..");
        var climbing = Path.Combine(root.Path, "..", Path.GetFileName(outside.Path), "labels.jsonl");

        foreach (var path in new[] { climbing, root.File("passwd.jsonl"), root.File("gone.jsonl"), root.File("etc/passwd"), root.File("etc/nothing"), root.File($"up/{Path.GetFileName(outside.Path)}/labels.jsonl") })
        {
            Assert.True(Assert.Throws<ServerPathException>(() => Roots.Resolve("jsonl", path)).Forbidden, path);
        }
    }

    [Fact]
    public void Inside_a_root_a_missing_file_a_folder_a_FIFO_or_a_device_is_unusable_and_says_so()
    {
        Directory.CreateDirectory(root.File("sub"));
        File.WriteAllText(root.File("file.csv"), "");
        SpecialFiles.Fifo(root.File("pipe.jsonl"));

        Assert.Equal("'jsonl' (missing.jsonl) was not found.", Unusable(Roots, "jsonl", root.File("missing.jsonl")));
        Assert.Equal("'jsonl' (sub/missing.jsonl) was not found.", Unusable(Roots, "jsonl", root.File("sub/missing.jsonl")));
        Assert.Equal("'csv' (sub) is a folder, not a file.", Unusable(Roots, "csv", root.File("sub")));
        Assert.Equal("'folder' (file.csv) is a file, not a folder.", Unusable(Roots, "folder", root.File("file.csv"), folder: true));
        Assert.Equal("'jsonl' (pipe.jsonl) is not a regular file (a device, FIFO or socket); only regular files are imported.", Unusable(Roots, "jsonl", root.File("pipe.jsonl")));
        Assert.Equal("'jsonl' (zero) is not a regular file (a device, FIFO or socket); only regular files are imported.", Unusable(new ImportRoots(["/dev"]), "jsonl", "/dev/zero"));
        Assert.Equal("'zip' must be an absolute path on the server.", Unusable(Roots, "zip", "relative.zip"));
    }

    [Fact]
    public void A_root_reached_through_a_link_admits_paths_written_either_way()
    {
        File.WriteAllText(root.File("labels.csv"), "");
        var link = outside.File("root-link");
        Directory.CreateSymbolicLink(link, root.Path);
        var roots = new ImportRoots([link]);

        Assert.Equal(root.File("labels.csv"), roots.Resolve("csv", Path.Combine(link, "labels.csv")).Path);
        Assert.Equal(root.File("labels.csv"), roots.Resolve("csv", root.File("labels.csv")).Path);
    }

    private static string Unusable(ImportRoots roots, string field, string path, bool folder = false)
    {
        var e = Assert.Throws<ServerPathException>(() => roots.Resolve(field, path, folder));
        Assert.False(e.Forbidden);
        return e.Message;
    }
}
