// The JSON settings of the HTTP endpoint's answers (/healthz, the dashboard's data): camelCase names.

using System.Text.Json;

namespace GrainKV.Grains.Http;

/// <summary>JSON settings of the HTTP endpoint's answers.</summary>
public static class HttpJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
