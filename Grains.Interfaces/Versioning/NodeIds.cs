// The node ids read from encoded version sets and clocks. A node's id recurs in every version it created and in
// every clock that saw it, so decoding each occurrence into a new string made the same few strings on every read
// of every key. The ids read are kept, up to a bound, and each later read of one returns the kept string.
//
// The bound keeps memory fixed whatever the input: clocks also arrive from clients (causal contexts), and ids past
// the bound, or longer than MaxBytes, are simply decoded each time, as before.

using System.Collections.Concurrent;
using System.Text;

namespace GrainKV.Versioning;

/// <summary>Decodes node ids, sharing one string per id seen.</summary>
internal static class NodeIds
{
    /// <summary>Longest id (in UTF-8 bytes) that is kept; it also sizes the stack buffer its characters go through.</summary>
    public const int MaxBytes = 128;

    /// <summary>Most ids kept.</summary>
    public const int MaxKept = 4096;

    private static readonly ConcurrentDictionary<string, string> Kept = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByCharacters =
        Kept.GetAlternateLookup<ReadOnlySpan<char>>();

    private static int _kept;

    /// <summary>The id encoded in <paramref name="utf8"/>, decoded with <paramref name="encoding"/> (so a strict
    /// encoding still throws on invalid bytes).</summary>
    public static string Get(ReadOnlySpan<byte> utf8, Encoding encoding)
    {
        if (utf8.Length > MaxBytes)
        {
            return encoding.GetString(utf8);
        }

        // UTF-8 never decodes to more UTF-16 units than it has bytes (an invalid byte becomes one replacement character).
        Span<char> characters = stackalloc char[MaxBytes];
        characters = characters[..encoding.GetChars(utf8, characters)];
        if (ByCharacters.TryGetValue(characters, out var id))
        {
            return id;
        }

        id = new string(characters);
        if (Volatile.Read(ref _kept) < MaxKept && Kept.TryAdd(id, id))
        {
            Interlocked.Increment(ref _kept);
        }

        return id;
    }
}
