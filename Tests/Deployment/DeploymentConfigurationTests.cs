// The deployments speak one configuration language: docker-compose.yml, the Kubernetes manifests (deploy/k8s and
// deploy/kustomization.yaml), scripts/cluster.sh and the silo's Dockerfile all take their shared settings from
// deploy/grainkv.env, and every setting name any of them uses (GrainKV__X__Y in the environment, --GrainKV:X:Y on a
// command line, Orleans:...) must be a property of the options classes the silo binds. A misspelt name would be
// ignored silently by the configuration binder; here it fails. Where a deployment must agree with a setting (the
// data and certificate mounts, the health port and path, the Redis address, the Kubernetes environment variables
// and pod labels), that is checked too.

using System.Reflection;
using System.Text.RegularExpressions;
using GrainKV.Grains.Hosting;
using GrainKV.Security;
using GrainKV.Tests.Infrastructure;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace GrainKV.Tests.Deployment;

public sealed partial class DeploymentConfigurationTests
{
    // Settings of a silo component that the deployments configure before its options class is part of this
    // repository: accepted only while no options class (loaded, or in the silo's sources) declares the section;
    // once one does, checked like the others.
    private static readonly Dictionary<string, string[]> PendingSections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GrainKV:Http"] = ["Enabled", "Port"],
    };

    private static readonly Lazy<Dictionary<string, List<Type>>> Sections = new(FindSections);

    private static readonly Lazy<Dictionary<string, HashSet<string>>> SiloSourceSections = new(FindSiloSourceSections);

    private static string Root => RepositoryPaths.Root;

    private static Dictionary<string, string> SharedSettings { get; } = ReadEnvFile(Path.Combine(Root, "deploy", "grainkv.env"));

    [Fact]
    public void EverySettingNameTheDeploymentsUseIsARealSetting()
    {
        var uses = new List<(string Where, string Setting)>();
        uses.AddRange(SharedSettings.Keys.Select(k => ("deploy/grainkv.env", FromEnvironmentName(k))));
        uses.AddRange(ComposeEnvironment().SelectMany(s => s.Value.Keys.Select(k => ($"docker-compose.yml {s.Key}", FromEnvironmentName(k)))));
        uses.AddRange(KubernetesContainers().SelectMany(c => EnvNames(c).Where(IsSettingName).Select(k => ("deploy/k8s", FromEnvironmentName(k)))));
        uses.AddRange(CommandLineSettings(File.ReadAllText(Path.Combine(Root, "scripts", "cluster.sh"))).Select(s => ("scripts/cluster.sh", s)));
        uses.AddRange(DockerfileEnvironment().Select(k => ("Silo/Dockerfile", FromEnvironmentName(k))));

        Assert.True(uses.Count > 20, $"Found only {uses.Count} setting names: the parsing missed the files.");
        var unknown = uses.Where(u => !IsKnownSetting(u.Setting)).Select(u => $"{u.Where}: {u.Setting}").Distinct().ToList();
        Assert.True(unknown.Count == 0, "Settings no options class has:\n" + string.Join("\n", unknown));
    }

    [Theory]
    [InlineData("GrainKV:Tls:Enabled", true)]
    [InlineData("GrainKV:tls:certificateDirectory", true)]
    [InlineData("GrainKV:ReplicationFactor", true)]
    [InlineData("GrainKV:AntiEntropy:ExchangePeriod", true)]
    [InlineData("GrainKV:AntiEntropy:Nonsense", false)]
    [InlineData("GrainKV:Clustering", true)]
    [InlineData("Orleans:ClusterMembership:ProbeTimeout", true)]
    [InlineData("GrainKV:Tls:Enable", false)]
    [InlineData("GrainKV:ReplicationFactors", false)]
    [InlineData("GrainKV:Nonsense:Port", false)]
    [InlineData("Orleans:ClusterMembership:Nonsense", false)]
    public void TheNameCheckKnowsRealSettingsFromMisspeltOnes(string setting, bool known) =>
        Assert.Equal(known, IsKnownSetting(setting));

    [Fact]
    public void TheSharedSettingsDescribeATlsClusterWithRedisMembershipAndAHealthEndpoint()
    {
        Assert.Equal("Redis", SharedSettings["GrainKV__Clustering"]);
        Assert.False(string.IsNullOrWhiteSpace(SharedSettings["GrainKV__RedisConnectionString"]));
        Assert.Equal("true", SharedSettings["GrainKV__Tls__Enabled"]);
        Assert.StartsWith("/", SharedSettings["GrainKV__Tls__CertificateDirectory"], StringComparison.Ordinal);
        Assert.StartsWith("/", SharedSettings["GrainKV__DataDirectory"], StringComparison.Ordinal);
        Assert.Equal("true", SharedSettings["GrainKV__Http__Enabled"]);
        Assert.True(int.TryParse(SharedSettings["GrainKV__Http__Port"], out _));
        Assert.True(int.Parse(SharedSettings["GrainKV__WriteQuorum"]) + int.Parse(SharedSettings["GrainKV__ReadQuorum"]) > int.Parse(SharedSettings["GrainKV__ReplicationFactor"]), "R + W must exceed N");
    }

    [Fact]
    public void ComposeRunsThreeSilosOnTheSharedSettingsWithDataVolumesCertificatesAndHealthChecks()
    {
        var services = ComposeServices();
        var redisHost = SharedSettings["GrainKV__RedisConnectionString"].Split(':')[0];
        Assert.True(services.Children.ContainsKey(redisHost), $"docker-compose.yml has no service '{redisHost}' for GrainKV__RedisConnectionString");
        var silos = services.Children.Where(s => Get((YamlMappingNode)s.Value, "env_file") is not null).ToList();
        Assert.Equal(3, silos.Count);
        var nodeIds = new HashSet<string>();
        foreach (var (name, node) in silos.Select(s => (s.Key.ToString(), (YamlMappingNode)s.Value)))
        {
            Assert.Equal("deploy/grainkv.env", Get(node, "env_file")!.ToString());
            var environment = EnvironmentOf(node);
            Assert.True(nodeIds.Add(environment["GrainKV__NodeId"]), $"{name}: node id not unique");
            Assert.False(string.IsNullOrWhiteSpace(environment["GrainKV__AdvertisedAddress"]), $"{name}: no advertised address");
            var mounts = ((YamlSequenceNode)Get(node, "volumes")!).Select(v => v.ToString().Split(':')).ToList();
            Assert.Contains(mounts, m => m.Length >= 2 && m[1] == SharedSettings["GrainKV__DataDirectory"] && !m[0].StartsWith('.'));   // a named volume
            Assert.Contains(mounts, m => m.Length >= 2 && m[1] == SharedSettings["GrainKV__Tls__CertificateDirectory"]);
            var healthcheck = string.Join(" ", ((YamlSequenceNode)Get((YamlMappingNode)Get(node, "healthcheck")!, "test")!).Select(t => t.ToString()));
            Assert.Contains($"/dev/tcp/127.0.0.1/{SharedSettings["GrainKV__Http__Port"]}", healthcheck, StringComparison.Ordinal);
            Assert.Contains("GET /healthz", healthcheck, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheStatefulSetRunsTheSharedSettingsWithVolumesCertificatesReadinessAndKubernetesHosting()
    {
        var kustomization = LoadYaml(Path.Combine(Root, "deploy", "kustomization.yaml")).Single();
        var generator = (YamlMappingNode)((YamlSequenceNode)Get(kustomization, "configMapGenerator")!).Single();
        Assert.Equal(["grainkv.env"], ((YamlSequenceNode)Get(generator, "envs")!).Select(e => e.ToString()));
        var configMap = Get(generator, "name")!.ToString();
        var resources = ((YamlSequenceNode)Get(kustomization, "resources")!).Select(r => r.ToString()).ToList();
        Assert.Equal(
            Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").Select(f => $"k8s/{Path.GetFileName(f)}").Order(),
            resources.Order());

        var documents = KubernetesDocuments().ToList();
        var statefulSet = documents.Single(d => Kind(d) == "StatefulSet" && Name(d) == "grainkv");
        var spec = (YamlMappingNode)Get(statefulSet, "spec")!;
        Assert.NotNull(Get(spec, "volumeClaimTemplates"));
        var serviceName = Get(spec, "serviceName")!.ToString();
        var headless = documents.Single(d => Kind(d) == "Service" && Name(d) == serviceName);
        Assert.Equal("None", Get((YamlMappingNode)Get(headless, "spec")!, "clusterIP")!.ToString());
        var redis = SharedSettings["GrainKV__RedisConnectionString"].Split(':');
        var redisService = documents.Single(d => Kind(d) == "Service" && Name(d) == redis[0]);
        Assert.Contains(redis[1], ((YamlSequenceNode)Get((YamlMappingNode)Get(redisService, "spec")!, "ports")!).Select(p => Get((YamlMappingNode)p, "port")!.ToString()));

        var template = (YamlMappingNode)Get(spec, "template")!;
        var labels = (YamlMappingNode)Get((YamlMappingNode)Get(template, "metadata")!, "labels")!;
        Assert.Equal(SharedSettings["GrainKV__ServiceId"], Get(labels, KubernetesHostingOptions.ServiceIdLabel)!.ToString());
        Assert.Equal(SharedSettings["GrainKV__ClusterId"], Get(labels, KubernetesHostingOptions.ClusterIdLabel)!.ToString());

        var container = (YamlMappingNode)((YamlSequenceNode)Get((YamlMappingNode)Get(template, "spec")!, "containers")!).Single();
        Assert.Contains(configMap, ((YamlSequenceNode)Get(container, "envFrom")!).Select(e => Get((YamlMappingNode)Get((YamlMappingNode)e, "configMapRef")!, "name")!.ToString()));
        var env = ((YamlSequenceNode)Get(container, "env")!).Cast<YamlMappingNode>().ToDictionary(e => Get(e, "name")!.ToString());
        Assert.Equal("Kubernetes", Get(env["GrainKV__Hosting"], "value")!.ToString());
        Assert.Equal("$(POD_NAME)", Get(env["GrainKV__NodeId"], "value")!.ToString());
        foreach (var (variable, field) in new[]
                 {
                     (KubernetesHostingOptions.PodNameEnvironmentVariable, "metadata.name"),
                     (KubernetesHostingOptions.PodNamespaceEnvironmentVariable, "metadata.namespace"),
                     (KubernetesHostingOptions.PodIPEnvironmentVariable, "status.podIP"),
                 })
        {
            Assert.True(env.ContainsKey(variable), $"the silo container does not set {variable}");
            Assert.Equal(field, Get((YamlMappingNode)Get((YamlMappingNode)Get(env[variable], "valueFrom")!, "fieldRef")!, "fieldPath")!.ToString());
        }

        var mounts = ((YamlSequenceNode)Get(container, "volumeMounts")!).Select(m => Get((YamlMappingNode)m, "mountPath")!.ToString()).ToList();
        Assert.Contains(SharedSettings["GrainKV__DataDirectory"], mounts);
        Assert.Contains(SharedSettings["GrainKV__Tls__CertificateDirectory"], mounts);

        var readiness = (YamlMappingNode)Get((YamlMappingNode)Get(container, "readinessProbe")!, "httpGet")!;
        Assert.Equal("/healthz", Get(readiness, "path")!.ToString());
        var probePort = Get(readiness, "port")!.ToString();
        var ports = ((YamlSequenceNode)Get(container, "ports")!).Cast<YamlMappingNode>().ToList();
        var healthPort = ports.Single(p => Get(p, "name")?.ToString() == probePort || Get(p, "containerPort")!.ToString() == probePort);
        Assert.Equal(SharedSettings["GrainKV__Http__Port"], Get(healthPort, "containerPort")!.ToString());
    }

    [Fact]
    public void ClusterShReadsTheSharedSettingsAndRunsTls()
    {
        var script = File.ReadAllText(Path.Combine(Root, "scripts", "cluster.sh"));
        Assert.Contains("deploy/grainkv.env", script, StringComparison.Ordinal);
        var settings = CommandLineSettings(script).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var required in new[] { "GrainKV:Clustering", "GrainKV:RedisConnectionString", "GrainKV:NodeId", "GrainKV:DataDirectory", "GrainKV:Tls:Enabled", "GrainKV:Tls:CertificateDirectory", "GrainKV:Http:Port" })
        {
            Assert.Contains(required, settings);
        }
    }

    private static bool IsKnownSetting(string setting)
    {
        var segments = setting.Split(':');
        for (var length = segments.Length - 1; length >= 1; length--)
        {
            var section = string.Join(':', segments[..length]);
            var rest = segments[length..];
            if (Sections.Value.TryGetValue(section, out var types))
            {
                return types.Any(t => HasPath(t, rest));
            }

            if (SiloSourceSections.Value.TryGetValue(section, out var properties))
            {
                return rest.Length == 1 && properties.Contains(rest[0]);
            }

            if (PendingSections.TryGetValue(section, out var names))
            {
                return rest.Length == 1 && names.Contains(rest[0], StringComparer.OrdinalIgnoreCase);
            }
        }

        return false;
    }

    private static bool HasPath(Type type, string[] path)
    {
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || property.SetMethod is null && path.Length == 1)
        {
            return false;
        }

        return path.Length == 1 || (property.PropertyType.IsClass && property.PropertyType != typeof(string) && HasPath(property.PropertyType, path[1..]));
    }

    /// <summary>Configuration sections and the options classes bound to them: every class of the silo's libraries
    /// with a SectionName constant, the silo host's own options (section GrainKV), and Orleans' membership options.</summary>
    private static Dictionary<string, List<Type>> FindSections()
    {
        var sections = new Dictionary<string, List<Type>>(StringComparer.OrdinalIgnoreCase)
        {
            ["GrainKV"] = [typeof(GrainKV.Silo.SiloHostOptions)],
            ["Orleans:ClusterMembership"] = [typeof(ClusterMembershipOptions)],
        };
        foreach (var type in new[] { typeof(GrainKvNodeOptions).Assembly, typeof(ClusterTlsOptions).Assembly }.SelectMany(LoadableTypes))
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string name)
            {
                (sections.TryGetValue(name, out var list) ? list : sections[name] = []).Add(type);
            }
        }

        return sections;
    }

    /// <summary>Options classes of the silo executable itself (not loaded here): the settable properties of every
    /// source file under Silo/ that declares a SectionName constant, by section.</summary>
    private static Dictionary<string, HashSet<string>> FindSiloSourceSections()
    {
        var sections = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "Silo"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var source = File.ReadAllText(file);
            foreach (Match section in SectionNameConstant().Matches(source))
            {
                var properties = SettableProperty().Matches(source).Select(m => m.Groups[1].Value);
                (sections.TryGetValue(section.Groups[1].Value, out var set) ? set : sections[section.Groups[1].Value] = new(StringComparer.OrdinalIgnoreCase)).UnionWith(properties);
            }
        }

        return sections;
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    private static bool IsSettingName(string environmentName) =>
        environmentName.StartsWith("GrainKV__", StringComparison.OrdinalIgnoreCase) || environmentName.StartsWith("Orleans__", StringComparison.OrdinalIgnoreCase);

    private static string FromEnvironmentName(string name) => name.Replace("__", ":", StringComparison.Ordinal);

    private static IEnumerable<string> CommandLineSettings(string text) =>
        CommandLineSetting().Matches(text).Select(m => m.Groups[1].Value).Distinct();

    private static IEnumerable<string> DockerfileEnvironment() =>
        DockerfileSetting().Matches(File.ReadAllText(Path.Combine(Root, "Silo", "Dockerfile"))).Select(m => m.Groups[1].Value);

    private static Dictionary<string, string> ReadEnvFile(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());

    private static YamlMappingNode ComposeServices() =>
        (YamlMappingNode)Get(LoadYaml(Path.Combine(Root, "docker-compose.yml")).Single(), "services")!;

    private static Dictionary<string, Dictionary<string, string>> ComposeEnvironment() =>
        ComposeServices().Children.ToDictionary(s => s.Key.ToString(), s => EnvironmentOf((YamlMappingNode)s.Value));

    private static Dictionary<string, string> EnvironmentOf(YamlMappingNode service) => Get(service, "environment") switch
    {
        YamlMappingNode map => map.Children.ToDictionary(e => e.Key.ToString(), e => e.Value.ToString()),
        YamlSequenceNode list => list.Select(e => e.ToString().Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
        _ => [],
    };

    private static IEnumerable<YamlMappingNode> KubernetesDocuments() =>
        Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").SelectMany(LoadYaml);

    private static IEnumerable<YamlMappingNode> KubernetesContainers() =>
        KubernetesDocuments()
            .Where(d => Kind(d) is "StatefulSet" or "Deployment")
            .SelectMany(d => (YamlSequenceNode)Get((YamlMappingNode)Get((YamlMappingNode)Get((YamlMappingNode)Get(d, "spec")!, "template")!, "spec")!, "containers")!)
            .Cast<YamlMappingNode>();

    private static IEnumerable<string> EnvNames(YamlMappingNode container) =>
        Get(container, "env") is YamlSequenceNode env ? env.Cast<YamlMappingNode>().Select(e => Get(e, "name")!.ToString()) : [];

    private static string? Kind(YamlMappingNode document) => Get(document, "kind")?.ToString();

    private static string? Name(YamlMappingNode document) => Get((YamlMappingNode)Get(document, "metadata")!, "name")?.ToString();

    private static List<YamlMappingNode> LoadYaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    /// <summary>The value of <paramref name="key"/>, also through a YAML merge key (&lt;&lt;: *anchor).</summary>
    private static YamlNode? Get(YamlMappingNode node, string key)
    {
        if (node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }

        return node.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) && merged is YamlMappingNode mapping ? Get(mapping, key) : null;
    }

    [GeneratedRegex(@"const\s+string\s+SectionName\s*=\s*""([^""]+)""")]
    private static partial Regex SectionNameConstant();

    [GeneratedRegex(@"public\s+[\w<>?,.\[\]\s]+?\s+(\w+)\s*\{\s*get;\s*(?:set|init);")]
    private static partial Regex SettableProperty();

    [GeneratedRegex(@"--((?:GrainKV|Orleans):[A-Za-z0-9:]+)=")]
    private static partial Regex CommandLineSetting();

    [GeneratedRegex(@"\b(GrainKV__[A-Za-z0-9_]+)=")]
    private static partial Regex DockerfileSetting();
}
