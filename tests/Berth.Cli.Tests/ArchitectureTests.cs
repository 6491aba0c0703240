using System.Reflection;
using System.Xml.Linq;

namespace Berth.Cli.Tests;

/// <summary>
/// The one-way arrows Model &lt;- Engine &lt;- Runtime &lt;- Web &lt;- {Kubernetes, Server}, Runtime &lt;- Simulation, all &lt;- Cli, checked on the built
/// assemblies' references (every Berth assembly is loaded here, through the Cli), and the test projects' references
/// checked on their project files: no test project references another test project, only the TestKits, and what a
/// test project reaches follows the arrows of the layer it tests.
/// </summary>
public class ArchitectureTests
{
    /// <summary>Each Berth assembly and the Berth assemblies it may reference (everything below it on the arrows).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Berth.Model"] = [],
        ["Berth.Engine"] = ["Berth.Model"],
        ["Berth.Runtime"] = ["Berth.Engine", "Berth.Model"],
        ["Berth.Simulation"] = ["Berth.Runtime", "Berth.Engine", "Berth.Model"],
        ["Berth.Web"] = ["Berth.Runtime", "Berth.Engine", "Berth.Model"],
        ["Berth.Kubernetes"] = ["Berth.Web", "Berth.Runtime", "Berth.Engine", "Berth.Model"],
        ["Berth.Server"] = ["Berth.Web", "Berth.Runtime", "Berth.Engine", "Berth.Model"],
        ["Berth.Cli"] = ["Berth.Simulation", "Berth.Kubernetes", "Berth.Server", "Berth.Web", "Berth.Runtime", "Berth.Engine", "Berth.Model"],
    };

    /// <summary>Outside packages only some layers may use.</summary>
    private static readonly Dictionary<string, string[]> Restricted = new(StringComparer.Ordinal)
    {
        ["KubernetesClient"] = ["Berth.Kubernetes", "Berth.Cli"],
        ["YamlDotNet"] = ["Berth.Simulation", "Berth.Cli"],
        ["Cel"] = ["Berth.Kubernetes"], // DRA device selectors: CEL stays out of the engine and the runtime
    };

    public static TheoryData<string> Assemblies()
    {
        var data = new TheoryData<string>();
        foreach (var name in BerthAssemblies().Select(LayerOf).Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Assembly_ReferencesOnlyWhatTheArrowsAllow(string name)
    {
        var assembly = BerthAssemblies().Single(a => LayerOf(a) == name);
        Assert.True(Allowed.TryGetValue(name, out var allowed), $"{name} is not on the arrows; add it to {nameof(ArchitectureTests)} with the layers it may use");
        var references = assembly.GetReferencedAssemblies().Select(r => r.Name!).ToArray();
        var wrong = references.Where(r => r.StartsWith("Berth.", StringComparison.Ordinal) && !allowed.Contains(r)).ToArray();
        Assert.True(wrong.Length == 0, $"{name} references {string.Join(", ", wrong)}; the arrows allow only {string.Join(", ", allowed)}");
        foreach (var (package, users) in Restricted)
        {
            Assert.False(references.Contains(package) && !users.Contains(name), $"{name} references {package}, which only {string.Join(", ", users)} may use");
        }
    }

    [Fact]
    public void Assemblies_AllLayersButTheServerAndWebAreLoaded()
    {
        var names = BerthAssemblies().Select(LayerOf).ToHashSet(StringComparer.Ordinal);
        foreach (var layer in Allowed.Keys.Where(k => k is not ("Berth.Server" or "Berth.Web")))
        {
            Assert.Contains(layer, names);
        }
    }

    [Fact]
    public void Checker_FlagsAnEdgeAgainstTheArrows()
    {
        // The rule itself: Kubernetes may not reference Simulation (they are siblings), nor Engine the Runtime.
        Assert.DoesNotContain("Berth.Simulation", Allowed["Berth.Kubernetes"]);
        Assert.DoesNotContain("Berth.Runtime", Allowed["Berth.Engine"]);
        Assert.DoesNotContain("Berth.Kubernetes", Allowed["Berth.Simulation"]);
        Assert.DoesNotContain("Berth.Server", Allowed["Berth.Web"]);
        Assert.DoesNotContain("Berth.Web", Allowed["Berth.Simulation"]);
    }

    public static TheoryData<string> TestProjects()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "tests"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TestProjects))]
    public void TestProject_ReferencesNoOtherTestProjectAndFollowsTheArrows(string name)
    {
        var projects = Directory.GetFiles(Path.Combine(Root, "tests"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), StringComparer.Ordinal);
        var direct = References(projects[name]);
        var kits = new[] { "Berth.TestKit", "Berth.TestKit.Kubernetes" };
        var testProjects = direct.Where(r => projects[r].Contains(Path.Combine(Root, "tests"), StringComparison.Ordinal) && !kits.Contains(r)).ToArray();
        Assert.True(testProjects.Length == 0, $"{name} references test project(s) {string.Join(", ", testProjects)}; share builders through a TestKit instead");

        // Everything it reaches in src/ must be what the layer it tests may use.
        var layer = name switch
        {
            "Berth.TestKit" => "Berth.Model",
            "Berth.TestKit.Kubernetes" or "Berth.Kubernetes.E2E" => "Berth.Kubernetes",
            "Berth.Simulation.BrowserTests" => "Berth.Simulation",
            "Berth.Web.BrowserTests" => "Berth.Cli", // the dashboard of every host: the server's and the operator's

            _ => name.EndsWith(".Tests", StringComparison.Ordinal) ? name[..^".Tests".Length] : name,
        };
        Assert.True(Allowed.ContainsKey(layer), $"{name} tests no known layer");
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(direct);
        while (stack.TryPop(out var next))
        {
            if (reached.Add(next))
            {
                foreach (var r in References(projects[next]))
                {
                    stack.Push(r);
                }
            }
        }

        var outside = reached.Where(r => !kits.Contains(r) && r != layer && !Allowed[layer].Contains(r)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(outside.Length == 0, $"{name} reaches {string.Join(", ", outside)}, beside the arrows of {layer}");
    }

    /// <summary>The layer an assembly is: its name, except the Cli's, which is the <c>berth</c> executable.</summary>
    private static string LayerOf(Assembly assembly) => assembly.GetName().Name is "berth" ? "Berth.Cli" : assembly.GetName().Name!;

    private static string[] References(string project) =>
        XDocument.Load(project).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar)))
            .ToArray();

    private static IEnumerable<Assembly> BerthAssemblies()
    {
        // Touch one type of each layer so that it is loaded, then follow the references from the Cli.
        var seen = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var stack = new Stack<Assembly>([typeof(BerthCli).Assembly]);
        while (stack.TryPop(out var assembly))
        {
            if (!seen.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Berth.", StringComparison.Ordinal)))
            {
                stack.Push(Assembly.Load(reference));
            }
        }

        return seen.Values;
    }

    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Berth.slnx not found above " + AppContext.BaseDirectory);
        }
    }
}
